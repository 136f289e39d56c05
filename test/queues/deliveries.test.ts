import t from 'tap'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { startHarness, delivery } from '../helpers/harness.js'
import { startRedis } from '../helpers/redis.js'
import { waitFor } from '../helpers/wait.js'
import { fannedOut } from '../helpers/deliveries.js'
import { userKey, type SyncJobData } from '../../queues/sync-queue.js'
import { laneOfJob } from '../../queues/sync-lanes.js'
import { createDeliveryWorker, FANOUT_CHUNK } from '../../queues/delivery-worker.js'
import { DELIVERY_JOB, DELIVERY_JOB_DEFAULTS, DELIVERY_QUEUE, fanoutBackoff, type DeliveryJobData } from '../../queues/delivery-queue.js'

const json = { 'content-type': 'application/json' }

t.test('a receiver stores one delivery job; the delivery worker makes one deduplicated, laned sync job per user', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  const res = await h.app.inject({
    method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret },
    payload: delivery([
      { type: 'user.account.update_profile', userId: '00urep' },
      { type: 'user.lifecycle.deactivate', userId: '00usetter' },
      { type: 'user.account.update_profile', userId: '00urep' }
    ])
  })
  t.equal(res.statusCode, 200)
  // Stored before the 200, and nothing else: no worker runs in an api-only process.
  const stored = await h.app.deliveryQueue.getWaiting()
  t.equal(stored.length, 1, 'one delivery job')
  t.same(stored[0]?.data.jobs.map((j) => [j.userId, j.lane ?? 'live', j.eventIds.length]), [['00urep', 'live', 2], ['00usetter', 'deactivate', 1]])
  t.equal(await h.app.syncQueue.count(), 0, 'no sync job until it is fanned out')

  await fannedOut(h.app)
  t.equal(await h.app.deliveryQueue.count(), 0, 'the delivery is gone once fanned out')
  const jobs = await h.app.syncQueue.getJobs(['waiting', 'prioritized'])
  t.same(jobs.map((j) => [j.data.userId, laneOfJob(j)]).sort(), [['00urep', 'live'], ['00usetter', 'deactivate']])
  t.notOk(jobs.some((j) => 'lane' in j.data), 'the lane is in the options, not the data')
  for (const j of jobs) t.equal(await h.app.syncQueue.getDeduplicationJobId(userKey('okta', j.data.userId)), j.id, `${j.data.userId} is deduplicated`)

  t.test('the same delivery again adds no second job (deduplicated in the fan-out)', async (t) => {
    const again = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep' }]) })
    t.equal(again.statusCode, 200)
    await fannedOut(h.app)
    t.equal(await h.app.syncQueue.count(), 2)
  })
})

t.test('a delivery naming a deactivation is fanned out before the deliveries stored ahead of it', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  for (const userId of ['00ua', '00ub', '00uc']) {
    await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId }]) })
  }
  await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery([{ type: 'user.lifecycle.suspend', userId: '00ugone' }]) })
  t.equal(await h.app.deliveryQueue.count(), 4)
  // One delivery at a time, in the order the queue hands them out.
  const connection = new Redis(h.redis.url, { maxRetriesPerRequest: null })
  const worker = createDeliveryWorker({ connection, prefix: h.config.QUEUE_PREFIX, syncQueue: h.app.syncQueue, attempts: 3, concurrency: 1 })
  t.teardown(async () => { await worker.close(); connection.disconnect() })
  const order: string[] = []
  worker.on('completed', (job) => { order.push(job.data.jobs[0]?.userId ?? '?') })
  void worker.run()
  await waitFor('four deliveries fanned out', () => order.length, (n) => n === 4)
  t.equal(order[0], '00ugone', 'the suspension first')
  t.same(order.slice(1), ['00ua', '00ub', '00uc'], 'then the rest in the order they came')
})

t.test('a big delivery is fanned out in chunks, every user once', async (t) => {
  const redis = await startRedis(t)
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null })
  const syncQueue = new Queue<SyncJobData>('user-sync', { connection, prefix: 'fan' })
  const deliveries = new Queue<DeliveryJobData>(DELIVERY_QUEUE, { connection, prefix: 'fan', defaultJobOptions: DELIVERY_JOB_DEFAULTS })
  const workerConnection = new Redis(redis.url, { maxRetriesPerRequest: null })
  const worker = createDeliveryWorker({ connection: workerConnection, prefix: 'fan', syncQueue, attempts: 3 })
  t.teardown(async () => { await worker.close(); await syncQueue.close(); await deliveries.close(); connection.disconnect(); workerConnection.disconnect() })
  const n = FANOUT_CHUNK * 3 + 7
  const jobs: SyncJobData[] = Array.from({ length: n }, (_, i) => ({ source: 'okta', userId: `00ubig${i}`, eventIds: [`e${i}`], receivedAt: Date.now() }))
  await deliveries.add(DELIVERY_JOB, { jobs })
  void worker.run()
  await waitFor('the big delivery fanned out', async () => await deliveries.getJobCounts('waiting', 'active'), (c) => c.waiting === 0 && c.active === 0)
  t.equal(await syncQueue.count(), n, 'one sync job per user')
  t.equal(await deliveries.count(), 0)
})

t.test('a fan-out that Redis refuses is tried again, not dropped: nothing a receiver acknowledged is lost', async (t) => {
  // The sync queue on a second Redis that is down: each try fails until it is back.
  const home = await startRedis(t)
  const away = await startRedis(t)
  const connection = new Redis(home.url, { maxRetriesPerRequest: null })
  const syncConnection = new Redis(away.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 50 })
  syncConnection.on('error', () => {})
  const syncQueue = new Queue<SyncJobData>('user-sync', { connection: syncConnection, prefix: 'fan' })
  syncQueue.on('error', () => {})
  const deliveries = new Queue<DeliveryJobData>(DELIVERY_QUEUE, { connection, prefix: 'fan', defaultJobOptions: DELIVERY_JOB_DEFAULTS })
  const workerConnection = new Redis(home.url, { maxRetriesPerRequest: null })
  const worker = createDeliveryWorker({ connection: workerConnection, prefix: 'fan', syncQueue, attempts: 3 })
  const failures: number[] = []
  worker.on('failed', (job) => { failures.push(job?.attemptsMade ?? -1) })
  t.teardown(async () => { await worker.close(); await syncQueue.close(); await deliveries.close(); connection.disconnect(); syncConnection.disconnect(); workerConnection.disconnect() })
  await away.stop()
  await deliveries.add(DELIVERY_JOB, { jobs: [{ source: 'okta', userId: '00ukept', eventIds: ['e1'], receivedAt: Date.now() }] })
  void worker.run()
  // The sync queue's connection never became ready, so its add hangs: the chunk timeout fails the try.
  await waitFor('a failed try', () => failures.length, (n) => n >= 1, 30_000)
  const counts = await deliveries.getJobCounts('failed', 'delayed', 'waiting', 'active')
  t.equal(counts.failed, 0, 'not failed for good')
  t.equal((counts.delayed ?? 0) + (counts.waiting ?? 0) + (counts.active ?? 0), 1, 'still there, waiting to be tried again')
  await away.start()
  await waitFor('the delivery fanned out once Redis is back', async () => await deliveries.count(), (n) => n === 0, 30_000)
  t.same((await syncQueue.getWaiting()).map((j) => j.data.userId), ['00ukept'], 'the try after the failed one stored the job')
})

t.test('the fan-out backoff grows and is capped', async (t) => {
  t.equal(fanoutBackoff(1), 250)
  t.equal(fanoutBackoff(2), 500)
  t.equal(fanoutBackoff(30), 60_000)
  t.ok(DELIVERY_JOB_DEFAULTS.attempts !== undefined && DELIVERY_JOB_DEFAULTS.attempts >= 100, 'tried for hours, not a few times')
})

t.test('/status counts the deliveries not yet fanned out, and says so when one never can be', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  const status = async (): Promise<{ queue: Record<string, number>, reasons: string[] }> => (await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).json()
  t.match((await status()).queue, { deliveries: 0, deliveriesFailed: 0 })
  await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep' }]) })
  t.equal((await status()).queue['deliveries'], 1, 'stored, waiting for a delivery worker (none runs in an api-only process)')
  await fannedOut(h.app)
  t.equal((await status()).queue['deliveries'], 0)

  // A delivery no fan-out can read (never written by a receiver), allowed one try: it fails for good.
  await h.app.deliveryQueue.add(DELIVERY_JOB, { jobs: null } as unknown as DeliveryJobData, { attempts: 1 })
  await fannedOut(h.app)
  const after = await status()
  t.equal(after.queue['deliveriesFailed'], 1)
  t.match(after.reasons.join('\n'), /1 stored deliveries were never fanned out .*POST \/ops\/reconcile/)
})
