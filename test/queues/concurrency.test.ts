import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { manyUsers } from '../helpers/fixtures.js'
import { waitFor } from '../helpers/wait.js'
import { fannedOut } from '../helpers/deliveries.js'

const json = { 'content-type': 'application/json' }

async function send (h: Harness, app: FastifyInstance, userIds: string[]): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery(userIds.map((userId) => ({ type: 'user.account.update_profile', userId }))) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}: ${res.body}`)
}

async function settled (h: Harness): Promise<void> {
  await fannedOut(h.app)
  await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    (c) => Object.values(c).every((n) => n === 0), 30_000)
}

t.test('a user being retried never runs beside a newer job for the same user', async (t) => {
  // One receiver and two worker processes' worth of workers, 4 slots each; slow Enerflo answers
  // make any overlap visible to the sandbox, which counts concurrent PUTs per user.
  const h = await startHarness(t, { role: 'api' })
  const env = { SERVICE_ROLE: 'worker', JOB_BACKOFF_MS: '100', WORKER_CONCURRENCY: '4' }
  await h.buildAnother(env)
  await h.buildAnother(env)
  h.enerflo.inject({ kind: 'status', status: 503, count: 2 })
  h.enerflo.inject({ kind: 'latency', ms: 150, count: 1000 })
  let last = ''
  for (let i = 0; i < 30; i++) {
    last = `602555${String(1000 + i).padStart(4, '0')}`
    h.directory.updateProfile('00urep', { mobilePhone: last })
    await send(h, h.app, ['00urep'])
    await new Promise((resolve) => setTimeout(resolve, 40))
  }
  await settled(h)
  const puts = h.enerflo.requests().filter((r) => r.userId === 502)
  t.same(puts.slice(0, 2).map((r) => r.status), [503, 503], 'the first attempts failed and were retried')
  t.equal(h.enerflo.maxConcurrentPerUser(), 1, 'never two PUTs for one user at once')
  t.equal(h.enerflo.user(502)?.phone, last, 'Enerflo ends with the newest phone')
  t.ok(puts.length < 30, `30 changes coalesced into ${puts.length} PUTs`)
  t.equal(await h.app.syncQueue.getFailedCount(), 0)
})

t.test('every worker shares one Enerflo budget, and Enerflo never answers 429', async (t) => {
  const { okta, enerflo } = manyUsers(30)
  const max = 10
  const windowMs = 1000
  const h = await startHarness(t, { role: 'api', oktaUsers: okta, enerfloUsers: enerflo, rateLimit: { max, windowMs } })
  await h.buildAnother({ SERVICE_ROLE: 'worker', WORKER_CONCURRENCY: '8' })
  await h.buildAnother({ SERVICE_ROLE: 'worker', WORKER_CONCURRENCY: '8' })
  await send(h, h.app, okta.map((u) => u.id))
  await waitFor('every user applied', () => h.enerflo.users().filter((u) => u.first_name !== 'Stale').length, (n) => n === 30, 30_000)
  const puts = h.enerflo.requests()
  t.equal(puts.filter((r) => r.status === 429).length, 0, 'no 429')
  t.equal(puts.length, 30, 'one PUT per changed user')
  const times = puts.map((r) => r.at).sort((a, b) => a - b)
  let busiest = 0
  for (let i = 0; i < times.length; i++) {
    busiest = Math.max(busiest, times.filter((x) => x >= (times[i] as number) && x < (times[i] as number) + windowMs).length)
  }
  t.ok(busiest <= max, `at most ${max} PUTs in any ${windowMs} ms (busiest: ${busiest})`)
  t.ok((times.at(-1) as number) - (times[0] as number) >= 2 * windowMs, 'the backlog took at least two windows')
  const status = await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })
  t.equal(status.json().enerflo.budget.limit, max)
})

t.test('an Okta 429 delays the job without spending an attempt', async (t) => {
  const h = await startHarness(t, { env: { JOB_ATTEMPTS: '1' } })
  h.directory.inject({ kind: 'rate-limit', count: 1, resetInSec: 1 })
  await send(h, h.app, ['00urep'])
  await waitFor('the user to be applied', () => h.enerflo.user(502)?.first_name, (v) => v === 'Rey')
  t.equal(await h.app.syncQueue.getFailedCount(), 0)
  t.ok(h.directory.requests().length >= 3, 'asked Okta again after the 429')
})
