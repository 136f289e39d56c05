import t from 'tap'
import type { TestRedis } from '../helpers/redis.js'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { oktaUsers } from '../helpers/fixtures.js'
import { readRedisInfo } from '../../plugins/core/redis.js'
import { waitFor } from '../helpers/wait.js'

// What a 2xx means: the delivery is in Redis (one delivery job, fanned out later into sync jobs). Whether they survive Redis itself crashing
// is Redis's persistence: these tests SIGKILL Redis right after the answers and count what the
// restarted Redis still holds.

const json = { 'content-type': 'application/json' }
const users = Array.from({ length: 40 }, (_, i) => ({ ...oktaUsers()[1]!, id: `00ud${i}` }))

async function acknowledge (h: Harness): Promise<number> {
  let acked = 0
  for (const u of users) {
    const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: u.id }]) })
    if (res.statusCode === 200) acked++
  }
  return acked
}

async function crashAndCount (redis: TestRedis): Promise<number> {
  await redis.stop() // SIGKILL: no shutdown save, no final fsync
  await redis.start()
  const c = redis.client()
  // A stored delivery's hash is test:deliveries:<n> (BullMQ's own ids; queues/delivery-queue.ts);
  // each delivery here names one user. No worker runs (api only), so none was fanned out yet.
  const keys = await c.keys('test:deliveries:*')
  return keys.filter((k) => /^test:deliveries:[0-9]+$/.test(k)).length
}

t.test('appendfsync always: every acknowledged delivery survives a Redis crash at once', async (t) => {
  const h = await startHarness(t, { role: 'api', oktaUsers: users, redisArgs: ['--appendonly', 'yes', '--appendfsync', 'always'] })
  const info = await readRedisInfo(h.app.redis)
  t.equal(info.aof, true, 'AOF is on')
  const acked = await acknowledge(h)
  t.equal(acked, users.length)
  t.equal(await crashAndCount(h.redis), acked, 'no acknowledged job lost, with no wait before the crash')
})

t.test('appendfsync everysec: what was acknowledged more than a second before the crash survives', async (t) => {
  const h = await startHarness(t, { role: 'api', oktaUsers: users, redisArgs: ['--appendonly', 'yes', '--appendfsync', 'everysec'] })
  const acked = await acknowledge(h)
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal(await crashAndCount(h.redis), acked, 'the window of loss is about one second')
})

t.test('without persistence a crash loses the queue: why /status says degraded', async (t) => {
  const h = await startHarness(t, { role: 'api', oktaUsers: users })
  const acked = await acknowledge(h)
  t.equal(acked, users.length)
  t.equal(await crashAndCount(h.redis), 0)
  // Until the service has reconnected, /status says down; then degraded, and why.
  const status = await waitFor('reconnect', async () => (await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).json(), (s) => s.status !== 'down')
  t.equal(status.status, 'degraded')
  t.match(status.reasons.join('\n'), /AOF is off/)
})
