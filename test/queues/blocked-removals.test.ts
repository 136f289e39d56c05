/**
 * A blocked role removal blocks nothing else (issue 14 item 1), end to end against the Enerflo
 * simulator: Setter 503 has surveys attributed as Setter. When Okta moves the setter to Reps and
 * changes the phone, the phone and the Sales Rep role reach Enerflo, the Setter removal stays
 * pending (GET /ops/blocked, /status, /metrics, the audit) with Enerflo's words and the fix, is
 * retried every BLOCKED_RETRY_MS, and goes through once the leads are reassigned.
 */
import t from 'tap'
import type { Test as Tap } from 'tap'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import { fannedOut } from '../helpers/deliveries.js'

const json = { 'content-type': 'application/json' }

async function send (h: Harness, userId: string): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery([{ type: 'group.user_membership.remove', userId, extraTargets: true }]) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}: ${res.body}`)
}

async function settled (h: Harness): Promise<void> {
  await fannedOut(h.app)
  await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), (c) => Object.values(c).every((n) => n === 0))
}

const puts = (h: Harness, id: number) => h.enerflo.requests().filter((r) => r.userId === id)

interface Blocked { count: number, retryEveryMs: number, removals: Array<{ userKey: string, enerfloId: number, roles: string[], enerflo: string, fix: string, refusals: number, nextRetryAt: string }> }
const blockedList = async (h: Harness): Promise<Blocked> => (await h.app.inject({ method: 'GET', url: '/ops/blocked', headers: h.ops })).json<Blocked>()

/** The setter synced once (roles [Setter]), then moved to Reps with a new phone. */
async function moveSetter (t: Tap, h: Harness): Promise<void> {
  await send(h, '00usetter')
  await settled(h)
  t.same(h.enerflo.user(503)?.roles, ['Setter'])
  h.directory.updateProfile('00usetter', { mobilePhone: '602-555-0199' })
  h.directory.removeFromGroup('00usetter', '00gsetters')
  h.directory.addToGroup('00usetter', '00greps')
  await send(h, '00usetter')
  await settled(h)
}

t.test('the phone and the added role reach Enerflo, the refused Setter removal stays pending and is retried until the leads are reassigned', async (t) => {
  const h = await startHarness(t, { env: { BLOCKED_RETRY_MS: '600' } })
  await moveSetter(t, h)
  const [refused, partial] = puts(h, 503).slice(1)
  t.equal(refused?.status, 422, 'Enerflo refused the PUT that removes Setter')
  t.same(refused?.body, { id: 503, phone: '6025550199', roles: ['Sales Rep'] })
  t.equal(partial?.status, 200, 'the rest was sent at once')
  t.same(partial?.body, { id: 503, phone: '6025550199', roles: ['Sales Rep', 'Setter'] }, 'the phone and Sales Rep, with Setter kept')
  t.match(h.enerflo.user(503), { phone: '6025550199', roles: ['Sales Rep', 'Setter'] }, 'Enerflo holds the phone and the new role')
  t.equal(await h.app.syncQueue.getFailedCount(), 0, 'nothing dead-lettered')

  const list = await blockedList(h)
  t.equal(list.count, 1)
  t.equal(list.retryEveryMs, 600)
  t.match(list.removals[0], { userKey: 'okta:00usetter', enerfloId: 503, roles: ['Setter'], refusals: 1 })
  t.match(list.removals[0]?.enerflo, /The Setter role cannot be removed: the user has 2 surveys and 0 appointments attributed/, 'Enerflo\'s own words')
  t.match(list.removals[0]?.fix, /reassign the surveys and appointments attributed to Enerflo user 503 as Setter .*Update the details of a customer/, 'and what fixes it')
  const trail = await h.app.store.auditTrail('okta:00usetter')
  t.equal(trail[0]?.outcome, 'applied')
  t.match(trail[0]?.notes?.join('\n'), /roles: removing Setter is blocked by attributed leads/, 'the audit says so')

  const status = (await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).json<{ blockedRemovals?: { count: number, users: Array<{ userKey: string, roles: string[] }> } }>()
  t.match(status.blockedRemovals, { count: 1, users: [{ userKey: 'okta:00usetter', roles: ['Setter'] }] }, '/status shows it')
  const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /^enerflo_sync_blocked_role_removals 1$/m, 'the gauge counts it')
  t.match(metrics, /^enerflo_sync_blocked_role_removals_total 1$/m, 'and the refusal')

  // Retried every BLOCKED_RETRY_MS: refused again while the leads are still attributed.
  await waitFor('a retry', async () => (await blockedList(h)).removals[0]?.refusals ?? 0, (n) => n >= 2)
  const retry = puts(h, 503)[3]
  t.same(retry?.body, { id: 503, roles: ['Sales Rep'] }, 'a retry asks for the removal alone')
  t.equal(retry?.status, 422)
  await settled(h)
  t.equal((await h.app.store.auditTrail('okta:00usetter'))[0]?.outcome, 'blocked', 'nothing else to send: recorded as blocked')

  t.ok(h.enerflo.reassignLeads(503, 'Setter'), 'someone reassigns the leads in Enerflo')
  await waitFor('the removal to go through', () => h.enerflo.user(503)?.roles, (r) => r?.length === 1 && r[0] === 'Sales Rep')
  await waitFor('the pending removal to be gone', async () => (await blockedList(h)).count, (n) => n === 0)
  await settled(h)
  t.same(puts(h, 503).at(-1), { ...puts(h, 503).at(-1), status: 200, body: { id: 503, roles: ['Sales Rep'] } })
  t.equal((await h.app.store.auditTrail('okta:00usetter'))[0]?.outcome, 'applied')
  t.match((await h.app.inject({ method: 'GET', url: '/metrics' })).body, /^enerflo_sync_blocked_role_removals 0$/m)
})

t.test('while it is pending, other changes go without asking again; an operator retries now, for one user or through its sync', async (t) => {
  const h = await startHarness(t, { env: { BLOCKED_RETRY_MS: '3600000' } })
  await moveSetter(t, h)
  const before = puts(h, 503).length
  h.directory.updateProfile('00usetter', { firstName: 'Seth' })
  await send(h, '00usetter')
  await settled(h)
  const after = puts(h, 503).slice(before)
  t.same(after.map((r) => [r.status, r.body]), [[200, { id: 503, first_name: 'Seth' }]], 'one PUT, the name only: Enerflo is not asked again before the retry is due')
  t.match((await h.app.store.auditTrail('okta:00usetter'))[0]?.notes?.join('\n'), /removing Setter is blocked by attributed leads .* tried again at/)

  const missing = await h.app.inject({ method: 'POST', url: '/ops/blocked/retry', headers: h.ops, payload: { userKey: 'okta:00urep' } })
  t.equal(missing.statusCode, 404, 'a user with nothing blocked')
  const retry = await h.app.inject({ method: 'POST', url: '/ops/blocked/retry', headers: h.ops, payload: { userKey: 'okta:00usetter' } })
  t.equal(retry.statusCode, 202)
  t.same(retry.json(), { queued: ['okta:00usetter'] })
  await waitFor('the retry', async () => (await blockedList(h)).removals[0]?.refusals ?? 0, (n) => n === 2)
  await settled(h)
  t.equal(puts(h, 503).at(-1)?.status, 422, 'asked again, refused again')

  h.enerflo.reassignLeads(503)
  const sync = await h.app.inject({ method: 'POST', url: '/ops/users/okta/00usetter/sync', headers: h.ops })
  t.equal(sync.statusCode, 202)
  t.same(sync.json(), { userKey: 'okta:00usetter', queued: true, retriesBlocked: true })
  await waitFor('the removal to go through', () => h.enerflo.user(503)?.roles, (r) => r?.join() === 'Sales Rep')
  await waitFor('the pending removal to be gone', async () => (await blockedList(h)).count, (n) => n === 0)
})

t.test('a pending removal no longer asked for is forgotten: the setter is back in Setters', async (t) => {
  const h = await startHarness(t, { env: { BLOCKED_RETRY_MS: '3600000' } })
  await moveSetter(t, h)
  t.equal((await blockedList(h)).count, 1)
  h.directory.addToGroup('00usetter', '00gsetters')
  await send(h, '00usetter')
  await settled(h)
  t.equal((await blockedList(h)).count, 0, 'forgotten')
  t.match((await h.app.store.auditTrail('okta:00usetter'))[0]?.notes?.join('\n'), /the removal of Setter that Enerflo refused is no longer asked for/)
})

t.test('a refusal of anything else besides the removal still fails the job with its reason', async (t) => {
  const h = await startHarness(t, { env: { JOB_BACKOFF_MS: '50' } })
  await send(h, '00usetter')
  await settled(h)
  h.directory.removeFromGroup('00usetter', '00gsetters')
  h.directory.addToGroup('00usetter', '00greps')
  h.enerflo.inject({ kind: 'status', status: 422, count: 1, body: JSON.stringify({ message: 'The given data was invalid.', errors: { roles: ['The Setter role cannot be removed: the user has 2 surveys attributed.'], phone: ['The phone format is invalid.'] } }) })
  await send(h, '00usetter')
  await waitFor('the job to fail', async () => await h.app.syncQueue.getFailedCount(), (n) => n === 1)
  t.equal((await blockedList(h)).count, 0, 'not read as a blocked removal')
  const [failed] = await h.app.syncQueue.getFailed()
  t.match(failed?.failedReason, /ENERFLO_REJECTED.*phone/s)
})
