import t from 'tap'
import { Value } from '@sinclair/typebox/value'
import { randomUUID } from 'node:crypto'
import {
  isUserChangeEvent, OktaDeliverySchema, OktaEventSchema, USER_CHANGE_EVENT_TYPES, userIdOf, type OktaEvent
} from '../../src/okta/events.js'

const userTarget = { id: '00uabc', type: 'User', alternateId: 'sam@example.com', displayName: 'Sam Patel', detailEntry: null }
const groupTarget = { id: '00gxyz', type: 'UserGroup', alternateId: 'unknown', displayName: 'Enerflo Sales Reps', detailEntry: null }

const event = (eventType: string, target: OktaEvent['target'], extra: Record<string, unknown> = {}) => ({
  uuid: randomUUID(), published: '2024-05-01T10:00:00.000Z', eventType, version: '0', severity: 'INFO',
  actor: { id: '00uadmin', type: 'User', alternateId: 'admin@example.com', displayName: 'Admin' },
  outcome: { result: 'SUCCESS', reason: null }, target, ...extra
})

// Written out here, not taken from the table under test: the types README.md tells the admin to
// subscribe the Event Hook to (Okta's names for lifecycle, profile and group membership changes).
const DOCUMENTED_USER_CHANGES = [
  'group.user_membership.add', 'group.user_membership.remove', 'user.account.update_profile',
  'user.lifecycle.activate', 'user.lifecycle.create', 'user.lifecycle.deactivate',
  'user.lifecycle.delete.initiated', 'user.lifecycle.reactivate', 'user.lifecycle.suspend',
  'user.lifecycle.unsuspend'
]

t.test('the user-change event types', async (t) => {
  t.same([...USER_CHANGE_EVENT_TYPES].sort(), DOCUMENTED_USER_CHANGES, 'the table holds exactly the documented types')
  for (const type of DOCUMENTED_USER_CHANGES) t.ok(isUserChangeEvent(type), type)
  // Types seen in real deliveries (../shared/samples): a membership change and a deactivation
  // count; a sign-in and an app assignment are acknowledged and ignored.
  t.ok(isUserChangeEvent('group.user_membership.add'), 'a captured group membership delivery')
  t.ok(isUserChangeEvent('user.lifecycle.deactivate'), 'the documented deactivation LogEvent')
  for (const type of ['user.session.start', 'application.user_membership.add', 'user.lifecycle', 'USER.LIFECYCLE.CREATE', '']) {
    t.notOk(isUserChangeEvent(type), type)
  }
})

t.test('the user is the target whose type is User, in any order', async (t) => {
  t.equal(userIdOf(event('group.user_membership.add', [userTarget, groupTarget])), '00uabc')
  t.equal(userIdOf(event('group.user_membership.add', [groupTarget, userTarget])), '00uabc')
  t.equal(userIdOf(event('user.lifecycle.deactivate', [{ ...userTarget, type: 'user' }])), '00uabc', 'type is case-insensitive')
})

t.test('no User target: undefined, never the actor or another target', async (t) => {
  t.equal(userIdOf(event('group.user_membership.add', null)), undefined)
  t.equal(userIdOf(event('user.lifecycle.create', undefined)), undefined)
  t.equal(userIdOf({}), undefined)
  t.equal(userIdOf(event('user.lifecycle.activate', [groupTarget])), undefined)
  t.equal(userIdOf(event('user.lifecycle.activate', [])), undefined)
  t.equal(userIdOf(event('user.lifecycle.activate', [{ ...userTarget, id: '' }])), undefined)
})

t.test('the delivery schema takes what Okta sends: extra fields, nulls, sparse events', async (t) => {
  const delivery = {
    eventType: 'com.okta.event_hook', eventTypeVersion: '1.0', cloudEventsVersion: '0.1', contentType: 'application/json',
    source: 'https://example.okta.com/api/v1/eventHooks/who1', eventId: randomUUID(), eventTime: '2024-05-01T10:00:01.000Z',
    data: {
      events: [
        event('group.user_membership.add', [groupTarget, userTarget], { debugContext: { debugData: { requestUri: '/x' } } }),
        event('group.user_membership.add', null, { actor: null, debugContext: null, outcome: { result: 'Success', reason: null } }),
        { uuid: randomUUID(), eventType: 'user.session.start' },
        event('user.lifecycle.deactivate', [{ id: '00u2', type: 'User', alternateId: null, displayName: null }], { outcome: null })
      ]
    }
  }
  t.ok(Value.Check(OktaDeliverySchema, delivery), JSON.stringify([...Value.Errors(OktaDeliverySchema, delivery)]))
  t.ok(Value.Check(OktaDeliverySchema, { data: { events: [] } }), 'envelope fields are optional')
  const ids = delivery.data.events.map((e) => userIdOf(e as OktaEvent))
  t.same(ids, ['00uabc', undefined, undefined, '00u2'])
})

t.test('the schemas refuse what cannot be a delivery', async (t) => {
  t.notOk(Value.Check(OktaDeliverySchema, {}))
  t.notOk(Value.Check(OktaDeliverySchema, { data: { events: {} } }))
  t.notOk(Value.Check(OktaEventSchema, { eventType: 'user.lifecycle.create' }), 'uuid is required')
  t.notOk(Value.Check(OktaEventSchema, { uuid: 'u', eventType: 'x', target: [{ type: 'User' }] }), 'a target has an id')
  t.notOk(Value.Check(OktaEventSchema, { uuid: 'u', eventType: 'x', target: {} }))
})
