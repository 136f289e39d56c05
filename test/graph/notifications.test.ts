import t from 'tap'
import { eventIdOf, sequenceOf, tenantOf, userIdOf, type GraphNotification } from '../../src/graph/notifications.js'
import { parseGraphBody as parseNotificationBody } from '../../src/json-body.js'
import { acceptItems } from '../../src/graph/accept.js'

t.test('sequenceNumber: exact digits as text, wherever it is; other values untouched', async (t) => {
  const raw = '{"value":[{"subscriptionId":"s","sequenceNumber" : 9007199254740993123,"note":"\\"sequenceNumber\\": 5","resourceData":{"id":"u","sequenceNumber":12}, "n": 9007199254740993}]}'
  const body = parseNotificationBody(raw) as { value: Array<Record<string, unknown>> }
  const item = body.value[0] as GraphNotification & Record<string, unknown>
  t.equal(item.sequenceNumber, '9007199254740993123')
  t.equal(item.resourceData?.sequenceNumber, '12')
  t.equal(item['note'], '"sequenceNumber": 5', 'text inside a string is left alone')
  t.equal(item['n'], 9007199254740992, 'only sequenceNumber is rewritten')
  t.equal(sequenceOf(item), '9007199254740993123')
  t.throws(() => parseNotificationBody('{"value": ['))
  const safe = parseNotificationBody('{"value":[{"subscriptionId":"s","sequenceNumber":7}]}') as { value: Array<Record<string, unknown>> }
  t.equal(safe.value[0]?.['sequenceNumber'], '7', 'a safe integer becomes its digits too')
  const odd = parseNotificationBody('{"value":[{"subscriptionId":"s","sequenceNumber":1e-400}]}') as { value: Array<Record<string, unknown>> }
  t.equal(odd.value[0]?.['sequenceNumber'], '1e-400', 'kept as sent, for the schema to refuse')
  const bom = parseNotificationBody('\uFEFF{"value":[{"subscriptionId":"s","sequenceNumber":90071992547409931}]}') as { value: Array<Record<string, unknown>> }
  t.equal(bom.value[0]?.['sequenceNumber'], '90071992547409931', 'a leading BOM is dropped, digits still exact')
  t.throws(() => parseNotificationBody('{"value":[],"__proto__":{"x":1}}'), /forbidden key/)
  t.throws(() => parseNotificationBody('{"value":[{"constructor":{"prototype":{}}}]}'), /forbidden key/)
})

t.test('a pathological body is refused as not JSON, in one pass', async (t) => {
  // The body that froze the regex rewrite: "sequenceNumber" then an unterminated run of \".
  const body = '{"value":[{"sequenceNumber":1,"x":"' + '\\"'.repeat(512 * 1024)
  t.ok(body.length >= 1024 * 1024)
  t.throws(() => parseNotificationBody(body), /not valid JSON/)
})

t.test('user id from resourceData, else from the resource path; tenant from either name', async (t) => {
  const base = { subscriptionId: 's' }
  t.equal(userIdOf({ ...base, resourceData: { id: 'abc' }, resource: 'Users/zzz' }), 'abc')
  t.equal(userIdOf({ ...base, resource: 'Users/6f1a0c2e-0000-4000-8000-000000000501' }), '6f1a0c2e-0000-4000-8000-000000000501')
  t.equal(userIdOf({ ...base, resource: 'Groups/x' }), undefined)
  t.equal(userIdOf({ ...base, resourceData: { id: 'a b' } }), undefined, 'ids that are not ids are refused')
  for (const resource of ['Users/%E0%A4%A', 'Users/%zz', 'Users/..', 'Users/.', 'Users/a%40b.com']) {
    t.equal(userIdOf({ ...base, resource }), undefined, `${resource}: no user, no throw`)
  }
  t.equal(userIdOf({ ...base, resourceData: { id: 'someone@example.com' } }), undefined, 'an address is not an id')
  t.equal(userIdOf({ ...base, resource: 'Groups/a', resourceData: { '@odata.type': '#Microsoft.Graph.Group', id: 'b' } }), undefined, 'a group\'s id is never taken for a user\'s')
  t.equal(userIdOf({ ...base, resourceData: { '@odata.type': '#Microsoft.Graph.Group', id: 'b' } }), undefined)
  t.equal(userIdOf({ ...base, resource: 'Users/u1', resourceData: { '@odata.type': '#microsoft.graph.user', id: 'u1' } }), 'u1')
  t.equal(tenantOf({ ...base, organizationId: 'o' }), 'o')
  t.equal(tenantOf({ ...base, tenantId: 't', organizationId: 'o' }), 't')
  t.equal(eventIdOf({ ...base, id: 'n1' }, 'u'), 'n1')
  t.equal(eventIdOf({ ...base }, 'u'), undefined)
})

t.test('client state: constant-time match against current and previous; tenant compared only when a GUID', async (t) => {
  const tenantId = '11111111-2222-4333-8444-555555555555'
  const items = [
    { subscriptionId: 's', clientState: 'current-state-000001' },
    { subscriptionId: 's', clientState: 'previous-state-00001' },
    { subscriptionId: 's', clientState: 'nope' },
    { subscriptionId: 's' },
    { subscriptionId: 's', clientState: 'current-state-000001', tenantId: '99999999-2222-4333-8444-555555555555' }
  ]
  const r = acceptItems(items, { clientStates: ['current-state-000001', 'previous-state-00001'], tenantId })
  t.equal(r.accepted.length, 2)
  t.equal(r.wrongState, 2)
  t.equal(r.wrongTenant, 1)
  t.equal(acceptItems(items, { clientStates: ['current-state-000001'], tenantId: 'contoso.onmicrosoft.com' }).accepted.length, 2)
})
