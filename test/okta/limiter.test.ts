import t from 'tap'
import { randomBytes } from 'node:crypto'
import { createOktaDirectory, type OktaDirectory } from '../../src/simulators/okta/directory.js'
import { createOktaClient } from '../../src/okta/client.js'
import { createOktaLimiter } from '../../src/okta/limiter.js'
import { UpstreamError } from '../../src/errors.js'
import { startRedis } from '../helpers/redis.js'

const users = Array.from({ length: 40 }, (_, i) => ({ id: `00ul${String(i).padStart(2, '0')}`, status: 'ACTIVE', groups: ['00greps'], profile: { login: `u${i}@example.com` } }))

async function startOkta (t: { teardown: (fn: () => unknown) => void }, rateLimit: number, rateWindowMs: number): Promise<{ directory: OktaDirectory, url: string, token: string }> {
  const token = randomBytes(20).toString('hex')
  const directory = createOktaDirectory({ token, users, groups: [{ id: '00greps', name: 'Reps' }], rateLimit, rateWindowMs })
  const url = await directory.listen(0)
  t.teardown(() => directory.close())
  return { directory, url, token }
}

/** The most requests of one family that one of Okta's windows counted. */
function busiestWindow (directory: OktaDirectory, family: string): number {
  const counts = new Map<number, number>()
  for (const r of directory.requests().filter((x) => x.family === family)) counts.set(r.rateWindow, (counts.get(r.rateWindow) ?? 0) + 1)
  return Math.max(0, ...counts.values())
}

t.test('two processes share one limiter: together they stay at the fraction of the limit, and Okta never answers 429', async (t) => {
  const redis = await startRedis(t)
  const { directory, url, token } = await startOkta(t, 20, 2000)
  // Two processes: each its own Redis connection and Okta client, one prefix.
  const clients = [0, 1].map(() => createOktaClient({ baseUrl: url, token, limiter: createOktaLimiter(redis.client(), { prefix: 'test', fraction: 0.5 }), maxWaitMs: Infinity }))
  t.teardown(async () => { for (const c of clients) await c.close() })
  const got = await Promise.all(users.slice(0, 30).map(async (u, i) => await (clients[i % 2] ?? clients[0])?.getUser(u.id)))
  t.equal(got.filter((u) => u?.id !== undefined).length, 30, 'every call answered')
  t.equal(directory.throttled(), 0, 'no 429 from Okta')
  t.ok(busiestWindow(directory, 'user') <= 10, `at most half of the limit in any one of Okta's windows (busiest: ${busiestWindow(directory, 'user')})`)
  t.ok(new Set(directory.requests().map((r) => r.rateWindow)).size >= 3, 'so the 30 calls took three windows')
})

t.test("another integration spent most of the window: the limiter reads X-Rate-Limit-Remaining and never takes the org's last request", async (t) => {
  const redis = await startRedis(t)
  const { directory, url, token } = await startOkta(t, 20, 2000)
  for (let i = 0; i < 16; i++) {
    const res = await fetch(`${url}/api/v1/users/${users[i]?.id ?? ''}`, { headers: { authorization: `SSWS ${token}` } })
    await res.arrayBuffer()
  }
  const okta = createOktaClient({ baseUrl: url, token, limiter: createOktaLimiter(redis.client(), { prefix: 'test', fraction: 0.5 }), maxWaitMs: Infinity })
  t.teardown(() => okta.close())
  await Promise.all(users.slice(0, 10).map(async (u) => await okta.getUser(u.id)))
  t.equal(directory.throttled(), 0, 'no 429, although our share (10) was more than the org had left (4)')
  const first = directory.requests()[0]?.rateWindow
  t.ok(directory.requests().filter((r) => r.rateWindow === first).length <= 19, 'the org kept at least one request of that window')
})

t.test('families are paced apart; a job that would wait too long gets OKTA_RATE_LIMITED with the wait; a 429 anyway stops the family until the reset', async (t) => {
  const redis = await startRedis(t)
  const { directory, url, token } = await startOkta(t, 2, 60_000)
  const limiter = createOktaLimiter(redis.client(), { prefix: 'test', fraction: 0.5 })
  const okta = createOktaClient({ baseUrl: url, token, limiter, maxWaitMs: 0 })
  t.teardown(() => okta.close())
  t.ok(await okta.getUser('00ul00'), 'the share of a limit of 2 is one call')
  const err = await okta.getUser('00ul01').then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof UpstreamError, 'the second waits for the window')
  t.match(err, { code: 'OKTA_RATE_LIMITED', status: 0, transient: true, message: /OKTA_RATE_LIMIT_FRACTION/ })
  t.ok((err as UpstreamError).retryAfterMs !== undefined && ((err as UpstreamError).retryAfterMs ?? 0) > 1000, 'with the time to the window\'s end')
  t.equal(directory.requests().length, 1, 'and was never sent')
  t.same(await okta.listGroupMembers('00greps'), users.map((u) => u.id), 'the groups API is another family, with its own window')

  const fresh = createOktaLimiter(redis.client(), { prefix: 'other', fraction: 1 })
  const raw = createOktaClient({ baseUrl: url, token, limiter: fresh, maxWaitMs: 0 })
  t.teardown(() => raw.close())
  directory.inject({ kind: 'rate-limit', count: 1, resetInSec: 30 })
  t.match(await raw.findGroups('Reps').then(() => undefined, (e: unknown) => e), { code: 'OKTA_RATE_LIMITED', status: 429 })
  const after = await fresh.take('groups')
  t.ok('waitMs' in after && after.waitMs > 20_000, `after a 429 the family waits for Okta's reset (${JSON.stringify(after)})`)
  t.ok('ticket' in await fresh.take('users'), 'other families go on')
})

t.test('without Redis the limiter lets calls through rather than stop Okta', async (t) => {
  const redis = await startRedis(t)
  const { url, token } = await startOkta(t, 600, 60_000)
  const client = redis.client()
  const okta = createOktaClient({ baseUrl: url, token, limiter: createOktaLimiter(client, { prefix: 'test', fraction: 0.5 }) })
  t.teardown(() => okta.close())
  client.disconnect()
  t.ok(await okta.getUser('00ul00'))
})
