import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import { fannedOut } from '../helpers/deliveries.js'

const json = { 'content-type': 'application/json' }

async function send (h: Harness, events: Parameters<typeof delivery>[0], app: FastifyInstance = h.app): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery(events) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}: ${res.body}`)
}

/** Waits until nothing is waiting, active or delayed. */
async function settled (h: Harness): Promise<void> {
  await fannedOut(h.app)
  await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    (c) => Object.values(c).every((n) => n === 0))
}

const puts = (h: Harness, id?: number) => h.enerflo.requests().filter((r) => id === undefined || r.userId === id)

t.test('several events for several users produce the right PUT bodies', async (t) => {
  const h = await startHarness(t, { env: { JOB_BACKOFF_MS: '50' } })
  await send(h, [
    { type: 'user.account.update_profile', userId: '00urep' },
    { type: 'user.lifecycle.activate', userId: '00uboss' },
    { type: 'group.user_membership.add', userId: '00usetter', extraTargets: true }
  ])
  await settled(h)
  const rep = puts(h, 502)
  t.equal(rep.length, 1)
  t.same(rep[0]?.body, {
    id: 502, first_name: 'Rey', last_name: 'Pep', email: 'rep@example.com', phone: '4805550101', active: true,
    manager_email: 'boss@example.com', roles: ['Sales Rep'], office_ids: [101]
  }, 'first sync of a linked user sends its whole desired state')
  t.same((puts(h, 501)[0]?.body as { office_ids?: number[] }).office_ids, [101, 102], 'a Regional Manager gets every office, in the mapping file order')
  t.notOk('phone' in (puts(h, 503)[0]?.body as object), 'a value Okta does not have is left out, never ""')
  t.equal(h.enerflo.user(502)?.first_name, 'Rey')

  t.test('an unchanged user produces no PUT', async (t) => {
    const before = puts(h).length
    await send(h, [{ type: 'user.account.update_profile', userId: '00urep' }, { type: 'user.account.update_profile', userId: '00uboss' }])
    await settled(h)
    t.equal(puts(h).length, before)
  })

  t.test('a profile change sends only what changed', async (t) => {
    h.directory.updateProfile('00urep', { mobilePhone: '(602) 555-0177', lastName: 'Pepper' })
    await send(h, [{ type: 'user.account.update_profile', userId: '00urep' }])
    await settled(h)
    t.same(puts(h, 502).at(-1)?.body, { id: 502, last_name: 'Pepper', phone: '6025550177' })
  })

  t.test('group add and remove change roles', async (t) => {
    h.directory.addToGroup('00urep', '00gsetters')
    await send(h, [{ type: 'group.user_membership.add', userId: '00urep', extraTargets: true }])
    await settled(h)
    t.same(puts(h, 502).at(-1)?.body, { id: 502, roles: ['Sales Rep', 'Setter'] })
    h.directory.removeFromGroup('00urep', '00gsetters')
    await send(h, [{ type: 'group.user_membership.remove', userId: '00urep', extraTargets: true }])
    await settled(h)
    t.same(puts(h, 502).at(-1)?.body, { id: 502, roles: ['Sales Rep'] })
    t.same(h.enerflo.user(502)?.roles, ['Sales Rep'])
  })

  t.test('deactivate → active: false', async (t) => {
    h.directory.setStatus('00urep', 'DEPROVISIONED')
    await send(h, [{ type: 'user.lifecycle.deactivate', userId: '00urep' }])
    await settled(h)
    t.same(puts(h, 502).at(-1)?.body, { id: 502, active: false })
    t.equal(h.enerflo.user(502)?.active, false)
  })

  t.test('a user deleted in Okta is deactivated in Enerflo when linked', async (t) => {
    h.directory.deleteUser('00uboss')
    await send(h, [{ type: 'user.lifecycle.delete.initiated', userId: '00uboss' }])
    await settled(h)
    t.same(puts(h, 501).at(-1)?.body, { id: 501, active: false })
  })
})

t.test('a duplicate delivery and a burst for one user produce one PUT', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  const body = delivery([{ type: 'user.account.update_profile', userId: '00urep' }])
  for (let i = 0; i < 2; i++) {
    await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: body })
  }
  for (let i = 0; i < 25; i++) await send(h, [{ type: 'user.account.update_profile', userId: '00urep' }])
  await fannedOut(h.app)
  t.equal(await h.app.syncQueue.getWaitingCount(), 1, 'the burst is one waiting job')
  const worker = await h.buildAnother({ SERVICE_ROLE: 'worker' })
  await waitFor('the job to finish', async () => await worker.syncQueue.getCompletedCount(), (n) => n === 1)
  t.equal(puts(h, 502).length, 1)
  t.equal(h.enerflo.maxConcurrentPerUser(), 1)
})

t.test('Enerflo 429 pauses every worker and resumes without spending an attempt', async (t) => {
  const h = await startHarness(t, { env: { JOB_ATTEMPTS: '1' } })
  h.enerflo.inject({ kind: 'rate-limit', count: 1, retryAfterSec: 1 })
  const start = Date.now()
  await send(h, [{ type: 'user.account.update_profile', userId: '00urep' }])
  await waitFor('the user to be applied', () => h.enerflo.user(502)?.first_name, (v) => v === 'Rey')
  t.ok(Date.now() - start >= 900, 'waited for retry-after before trying again')
  const status = puts(h, 502).map((r) => r.status)
  t.same(status, [429, 200])
  t.equal(await h.app.syncQueue.getFailedCount(), 0, 'one attempt allowed, still succeeded: the 429 spent none')
})

t.test('5xx is retried with backoff until it succeeds', async (t) => {
  const h = await startHarness(t, { env: { JOB_BACKOFF_MS: '50' } })
  h.enerflo.inject({ kind: 'status', status: 503, count: 2 })
  await send(h, [{ type: 'user.account.update_profile', userId: '00urep' }])
  await waitFor('the user to be applied', () => h.enerflo.user(502)?.first_name, (v) => v === 'Rey')
  t.same(puts(h, 502).map((r) => r.status), [503, 503, 200])
  const trail = await h.app.store.auditTrail('okta:00urep')
  t.equal(trail[0]?.outcome, 'applied')
  t.equal(trail[0]?.attempts, 3)
})

t.test('a permanent 4xx fails at once with a reason an operator can act on', async (t) => {
  const h = await startHarness(t, { env: { JOB_BACKOFF_MS: '50' } })
  // The setter takes an email another Enerflo user (504) holds: Enerflo refuses, and says why.
  // (A role removal Enerflo refuses for attributed leads does not fail: test/queues/blocked-removals.test.ts.)
  h.directory.updateProfile('00usetter', { email: 'new@example.com' })
  await send(h, [{ type: 'user.account.update_profile', userId: '00usetter' }])
  await waitFor('the job to fail', async () => await h.app.syncQueue.getFailedCount(), (n) => n === 1)
  t.equal(puts(h, 503).length, 1, 'not retried')
  const [failed] = await h.app.syncQueue.getFailed()
  t.match(failed?.failedReason, /ENERFLO_REJECTED.*already taken/s)
  // Enerflo's list was never read here: the holder is unknown; Enerflo's support gives the alias fix.
  t.match(failed?.failedReason, /new email new@example.com of user 503: it is already taken by a user the directory does not list \(a deleted user, or another company's\).*alias of the address \(for example name\+1@domain\)/s, 'the fix, and that the holder is not known')
  const res = await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })
  t.equal(res.json().status, 'degraded')
  t.match(res.json().enerflo.lastFailure, { userKey: 'okta:00usetter', code: 'ENERFLO_REJECTED' })
})

t.test('a new email Enerflo says is taken names the holder the directory knows, and is not retried', async (t) => {
  const h = await startHarness(t, { env: { JOB_BACKOFF_MS: '50' } })
  const listUsers = h.app.enerflo.listUsers
  if (listUsers === undefined) throw new Error('the Enerflo client lists users')
  await h.app.directory.refresh({ listUsers: async (page, state) => await listUsers(page, state) }, async () => {})
  h.directory.updateProfile('00usetter', { email: 'new@example.com' })
  await send(h, [{ type: 'user.account.update_profile', userId: '00usetter' }])
  await waitFor('the job to fail', async () => await h.app.syncQueue.getFailedCount(), (n) => n === 1)
  t.equal(puts(h, 503).length, 1, 'one refusal, not retried')
  const [failed] = await h.app.syncQueue.getFailed()
  t.match(failed?.failedReason, /^ENERFLO_REJECTED: Enerflo refused the new email new@example.com of user 503: it is already taken by Enerflo user 504 \(if that is the same person, link this identity to it instead\); Enerflo's support suggests an alias/, 'the holder, and the fix')
  t.equal(h.enerflo.user(503)?.email, 'setter@example.com', 'Enerflo keeps the old address')
})

t.test('an unresolved user is parked, shown, and synced once a link exists', async (t) => {
  const opsToken = 'x'.repeat(8) + Math.random().toString(36).slice(2, 12)
  const h = await startHarness(t, { env: { OPS_TOKEN: opsToken } })
  await send(h, [{ type: 'user.lifecycle.create', userId: '00unolink' }])
  await settled(h)
  t.equal(puts(h).length, 0)
  const status = await h.app.inject({ method: 'GET', url: '/status', headers: { authorization: `Bearer ${opsToken}` } })
  t.equal(status.json().unresolved.count, 1)
  t.same(status.json().unresolved.users.map((u: { userKey: string }) => u.userKey), ['okta:00unolink'])
  const denied = await h.app.inject({ method: 'GET', url: '/status' })
  t.equal(denied.statusCode, 401, '/status needs OPS_TOKEN when it is set')

  const link = await h.app.inject({ method: 'PUT', url: '/ops/links/okta/00unolink', headers: { ...json, authorization: `Bearer ${opsToken}` }, payload: { enerfloUserId: 504 } })
  t.equal(link.statusCode, 200)
  await settled(h)
  t.same(puts(h, 504)[0]?.body, { id: 504, first_name: 'New', last_name: 'Hire', email: 'new@example.com', active: true, roles: ['Sales Rep'], office_ids: [101] })
  const after = await h.app.inject({ method: 'GET', url: '/status', headers: { authorization: `Bearer ${opsToken}` } })
  t.equal(after.json().unresolved.count, 0)
})
