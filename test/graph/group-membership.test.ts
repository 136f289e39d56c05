/**
 * Group-membership changes from Entra ID: a subscription on every mapped group, the notification
 * the local Graph sends when a member is added or removed (a basic one, which does not say who),
 * and the group-change job that lists the group, compares with the last known members and syncs
 * exactly who joined or left, with real Redis and the real sync worker. The receiver's part is
 * played here by groupIdOf() + enqueueGroupChanges(), the calls plugins/webhooks/graph.ts makes.
 */
import t from 'tap'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { changeItem, startGraphHarness, type GraphHarness } from '../helpers/graph-harness.js'
import { G, GROUP } from '../helpers/graph-fixtures.js'
import { waitFor } from '../helpers/wait.js'
import { groupIdOf } from '../../src/graph/group-notifications.js'
import type { GraphNotification } from '../../src/graph/notifications.js'
import { createGroupMembers } from '../../src/graph/group-members.js'
import { enqueueGroupChanges, GRAPH_GROUP_QUEUE, type GraphGroupJob } from '../../queues/graph-group-queue.js'

const MAPPED = ['Reps', 'Setters', 'Regional', 'Phoenix', 'Denver'].map((n) => GROUP[n] as string)
const groupSubs = (h: GraphHarness) => h.graph.subscriptions().filter((s) => s.resource.startsWith('groups/'))
const puts = (h: GraphHarness, id: number) => h.enerflo.requests().filter((r) => r.userId === id)

async function settled (h: GraphHarness, groups: Queue<GraphGroupJob>): Promise<void> {
  await waitFor('queues to settle', async () => ({
    ...await groups.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    ...Object.fromEntries(Object.entries(await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).map(([k, v]) => [`sync-${k}`, v]))
  }), (c) => Object.values(c).every((n) => n === 0))
}

t.test('membership changes in a mapped group sync exactly the users who joined or left', async (t) => {
  // Page size 1: every member listing (a nested group, then users) takes several pages.
  const h = await startGraphHarness(t, { pageSize: 1, env: { GRAPH_SUBSCRIPTION_CHECK_MS: '3600000', JOB_BACKOFF_MS: '50' } })
  const connection = new Redis(h.redis.url, { maxRetriesPerRequest: null })
  const groups = new Queue<GraphGroupJob>(GRAPH_GROUP_QUEUE, { connection, prefix: 'test' })
  t.teardown(async () => { await groups.close(); connection.disconnect() })

  const subs = await waitFor('a subscription on every mapped group', () => groupSubs(h), (l) => l.length === MAPPED.length)
  t.same(subs.map((s) => s.resource).sort(), MAPPED.map((id) => `groups/${id}`).sort(), 'the mapped groups, not Everyone or the nested Phoenix Reps')
  for (const s of subs) {
    t.match(s, { changeType: 'updated,deleted', clientState: h.clientState, notificationUrl: 'https://sync.example.com/webhooks/graph', lifecycleNotificationUrl: 'https://sync.example.com/webhooks/graph/lifecycle' })
  }
  const members = createGroupMembers(h.redis.client(), 'test')
  t.same(await members.get(GROUP['Reps'] as string), [G.rep, G.nolink].sort(), 'the members were recorded before subscribing: users only, nested ones included')
  t.notOk(h.graph.requests().some((r) => r.path.includes('/transitiveMembers/microsoft.graph.user')), 'no advanced query, whose index can lag the change')

  /** What the receiver does with a POST from Graph: ids from groupIdOf, one enqueue call. */
  const deliver = async (): Promise<string[]> => {
    const ids: string[] = []
    for (const post of h.graph.takeNotifications()) {
      t.equal(post.notificationUrl, 'https://sync.example.com/webhooks/graph')
      for (const item of post.body.value) {
        t.notOk('members@delta' in (item['resourceData'] as object), 'a basic notification: it does not say who changed')
        const id = groupIdOf(item as GraphNotification)
        if (id !== undefined) ids.push(id)
      }
    }
    await enqueueGroupChanges(groups, ids)
    return ids
  }

  // The setter is known to Enerflo as she is now, so a later PUT holds only what the group changed.
  t.equal((await h.post({ value: [changeItem(h, G.setter)] })).statusCode, 202)
  await settled(h, groups)
  t.same((puts(h, 503).at(-1)?.body as { roles?: string[] } | undefined)?.roles, ['Setter'])
  const before = h.enerflo.requests().length

  h.graph.addMember(GROUP['Reps'] as string, G.setter)
  t.same(await deliver(), [GROUP['Reps']], 'Graph announced a change of Reps, and only of Reps')
  await settled(h, groups)
  t.same(h.enerflo.requests().slice(before).map((r) => r.body), [{ id: 503, roles: ['Sales Rep', 'Setter'] }], 'one PUT: the new member gets the role; no other member is touched')
  t.same(await members.get(GROUP['Reps'] as string), [G.rep, G.nolink, G.setter].sort(), 'the new member list is remembered')

  const mid = h.enerflo.requests().length
  h.graph.removeMember(GROUP['Reps'] as string, G.setter)
  t.same(await deliver(), [GROUP['Reps']])
  await settled(h, groups)
  t.same(h.enerflo.requests().slice(mid).map((r) => r.body), [{ id: 503, roles: ['Setter'] }], 'the removed member loses the role')

  const end = h.enerflo.requests().length
  const completed = (await groups.getJobCounts('completed')).completed ?? 0
  await enqueueGroupChanges(groups, [GROUP['Everyone'] as string, GROUP['Reps'] as string])
  await waitFor('both jobs to finish', async () => (await groups.getJobCounts('completed')).completed ?? 0, (n) => n === completed + 2)
  await settled(h, groups)
  t.equal(h.enerflo.requests().length, end, 'a group we do not subscribe to, or a group whose members did not change, syncs no one')
})

t.test('a rotated client state replaces every group subscription', async (t) => {
  const h = await startGraphHarness(t, { env: { GRAPH_SUBSCRIPTION_CHECK_MS: '250' } })
  const first = await waitFor('group subscriptions', () => groupSubs(h), (l) => l.length === MAPPED.length)
  const again = await h.buildAnother({ GRAPH_CLIENT_STATE: 'a-rotated-client-state-0123456789', GRAPH_CLIENT_STATE_PREVIOUS: h.clientState })
  await h.app.close()
  // Graph's validation request now reaches the instance that is left.
  h.graph.setValidator(async (url) => {
    const u = new URL(url)
    const res = await again.inject({ method: 'POST', url: `${u.pathname}${u.search}`, headers: { 'content-type': 'text/plain; charset=utf-8' }, payload: '' })
    return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: res.body }
  })
  const rotated = await waitFor('subscriptions with the new client state', () => groupSubs(h),
    (l) => l.length === MAPPED.length && l.every((s) => s.clientState === 'a-rotated-client-state-0123456789'))
  t.notOk(rotated.some((s) => first.some((f) => f.id === s.id)), 'every old one was replaced')
})

t.test('groupIdOf: group items only, and never an exception', async (t) => {
  const base = { subscriptionId: 's', changeType: 'updated', resource: `Groups/${GROUP['Reps'] ?? ''}` }
  t.equal(groupIdOf(base), GROUP['Reps'])
  t.equal(groupIdOf({ ...base, resource: null, resourceData: { '@odata.type': '#Microsoft.Graph.Group', id: GROUP['Reps'] ?? null } }), GROUP['Reps'], 'from resourceData')
  t.equal(groupIdOf({ ...base, changeType: 'deleted' }), GROUP['Reps'], 'a deleted group')
  t.equal(groupIdOf({ ...base, resource: `Users/${G.rep}`, resourceData: { '@odata.type': '#Microsoft.Graph.User', id: G.rep } }), undefined, 'a user item')
  t.equal(groupIdOf({ ...base, resource: 'Groups/%E0%A4%A' }), undefined, 'a malformed escape')
  t.equal(groupIdOf({ ...base, resource: 'Groups/..' }), undefined, 'a dot segment')
  t.equal(groupIdOf({ ...base, resource: 'Groups/a', resourceData: { '@odata.type': '#microsoft.graph.group', id: 'b' } }), undefined, 'an item that contradicts itself')
  t.equal(groupIdOf({ subscriptionId: 's', lifecycleEvent: 'missed', resource: 'Groups/a' }), undefined, 'a lifecycle item')
})
