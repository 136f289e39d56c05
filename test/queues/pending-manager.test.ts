/**
 * A manager not yet in Enerflo (issue 14 item 5), end to end against the Enerflo simulator: the
 * rep's new manager has no Enerflo user. The phone goes at once without manager_email, which stays
 * pending (no refused PUT on later changes) and is sent the moment the service creates the manager,
 * without waiting for the rep's next change; a manager the provider stops naming is forgotten.
 */
import t from 'tap'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { oktaUsers } from '../helpers/fixtures.js'
import { waitFor } from '../helpers/wait.js'
import { fannedOut } from '../helpers/deliveries.js'

async function send (h: Harness, userId: string): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId }]) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}: ${res.body}`)
}

async function settled (h: Harness): Promise<void> {
  await fannedOut(h.app)
  await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), (c) => Object.values(c).every((n) => n === 0))
}

const puts = (h: Harness, id: number) => h.enerflo.requests().filter((r) => r.userId === id)

const withNewBoss = () => [
  ...oktaUsers(),
  { id: '00unewboss', status: 'ACTIVE', groups: ['00greps', '00gphx'], profile: { login: 'newboss@example.com', email: 'newboss@example.com', firstName: 'New', lastName: 'Boss' } }
]

async function changeManager (h: Harness): Promise<void> {
  await send(h, '00urep')
  await settled(h)
  h.directory.updateProfile('00urep', { managerEmail: 'newboss@example.com', mobilePhone: '602-555-0142' })
  await send(h, '00urep')
  await settled(h)
}

t.test('everything else is sent; manager_email waits and goes the moment the manager is created', async (t) => {
  const h = await startHarness(t, { oktaUsers: withNewBoss(), env: { CREATE_USERS: 'true', BLOCKED_RETRY_MS: '3600000' } })
  await changeManager(h)
  const [refused, rest] = puts(h, 502).slice(1)
  t.equal(refused?.status, 422, 'Enerflo refused the unknown manager')
  t.same(refused?.body, { id: 502, phone: '6025550142', manager_email: 'newboss@example.com' })
  t.same([rest?.status, rest?.body], [200, { id: 502, phone: '6025550142' }], 'the phone went at once, without the manager')
  t.match(h.enerflo.user(502), { phone: '6025550142', manager_email: 'boss@example.com' })
  t.equal(await h.app.syncQueue.getFailedCount(), 0, 'nothing dead-lettered')
  t.equal(await h.app.pendingManagers.store.count(), 1, 'the manager is pending')
  t.match((await h.app.inject({ method: 'GET', url: '/metrics' })).body, /^enerflo_sync_pending_managers 1$/m, 'and counted in metrics')
  t.match((await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).json(), { blockedRemovals: { count: 0, managersPending: 1 } }, 'and in /status')
  t.match((await h.app.store.auditTrail('okta:00urep'))[0]?.notes?.join('\n'), /manager_email: left out until the manager is an Enerflo user/)

  h.directory.updateProfile('00urep', { firstName: 'Reynold' })
  await send(h, '00urep')
  await settled(h)
  t.same(puts(h, 502).slice(3).map((r) => [r.status, r.body]), [[200, { id: 502, first_name: 'Reynold' }]], 'a later change is not refused again: the manager stays out')

  const before = puts(h, 502).length
  await send(h, '00unewboss')
  await waitFor('the manager to reach the rep', () => h.enerflo.user(502)?.manager_email, (m) => m === 'newboss@example.com')
  await settled(h)
  t.equal(h.enerflo.creates().filter((c) => c.status < 300).length, 1, 'the manager was created in Enerflo')
  t.same(puts(h, 502).slice(before).map((r) => [r.status, r.body]), [[200, { id: 502, manager_email: 'newboss@example.com' }]], 'then the rep got the manager, with no change of the rep\'s own')
  t.equal(await h.app.pendingManagers.store.count(), 0, 'nothing pending')
  t.match((await h.app.inject({ method: 'GET', url: '/metrics' })).body, /^enerflo_sync_pending_managers 0$/m)
})

t.test('a pending manager the provider no longer names is forgotten', async (t) => {
  const h = await startHarness(t, { env: { BLOCKED_RETRY_MS: '3600000' } })
  await changeManager(h)
  t.equal(await h.app.pendingManagers.store.count(), 1)
  h.directory.updateProfile('00urep', { managerEmail: 'boss@example.com' })
  await send(h, '00urep')
  await settled(h)
  t.equal(await h.app.pendingManagers.store.count(), 0, 'forgotten')
  t.equal(h.enerflo.user(502)?.manager_email, 'boss@example.com')
  t.match((await h.app.store.auditTrail('okta:00urep'))[0]?.notes?.join('\n'), /pending manager is no longer asked for/)
})

t.test('a manager added in Enerflo by hand is sent at the next retry (BLOCKED_RETRY_MS)', async (t) => {
  const h = await startHarness(t, { env: { BLOCKED_RETRY_MS: '500' } })
  await changeManager(h)
  t.equal(await h.app.pendingManagers.store.count(), 1)
  const key = h.config.ENERFLO_API_KEY ?? ''
  const added = await fetch(`${h.config.ENERFLO_BASE_URL}/api/v1/users`, { method: 'POST', headers: { 'api-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'newboss@example.com', roles: ['Sales Rep Manager'], notify_email: false, allow_optimus: false }) })
  t.equal(added.status < 300, true, 'someone adds the manager in Enerflo')
  await waitFor('the retry to send the manager', () => h.enerflo.user(502)?.manager_email, (m) => m === 'newboss@example.com')
  await waitFor('nothing pending', async () => await h.app.pendingManagers.store.count(), (n) => n === 0)
})
