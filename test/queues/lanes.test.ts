import t from 'tap'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { manyUsers } from '../helpers/fixtures.js'
import { waitFor } from '../helpers/wait.js'
import { fannedOut } from '../helpers/deliveries.js'
import { enqueueSyncJobs, userKey } from '../../queues/sync-queue.js'
import { laneOfJob } from '../../queues/sync-lanes.js'

const json = { 'content-type': 'application/json' }

async function okta (h: Harness, type: string, userId: string): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery([{ type, userId }]) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}: ${res.body}`)
  await fannedOut(h.app)
}

async function reconcileJobs (h: Harness, userIds: string[]): Promise<void> {
  await enqueueSyncJobs(h.app.syncQueue, userIds.map((userId) => ({ source: 'okta', userId, eventIds: [], receivedAt: Date.now(), lane: 'reconcile' })), { attempts: 3 })
}

/** What the delivery worker does with a delivery (queues/delivery-worker.ts), without one running. */
async function addJobs (h: Harness, jobs: Array<[string, 'live' | 'deactivate']>): Promise<void> {
  await enqueueSyncJobs(h.app.syncQueue, jobs.map(([userId, lane]) => ({ source: 'okta', userId, eventIds: [], receivedAt: Date.now(), ...(lane !== 'live' && { lane }) })), { attempts: 3 })
}

const waitingJobOf = async (h: Harness, userId: string) => {
  const id = await h.app.syncQueue.getDeduplicationJobId(userKey('okta', userId))
  const job = id === null ? undefined : await h.app.syncQueue.getJob(id)
  return job === undefined ? undefined : { id: job.id, lane: laneOfJob(job) }
}

t.test('deactivations run before live changes, live changes before reconciliation', async (t) => {
  const { okta: people, enerflo } = manyUsers(8)
  // No worker yet: everything waits, then one worker slot drains it in lane order.
  const h = await startHarness(t, { role: 'api', oktaUsers: people, enerfloUsers: enerflo })
  await reconcileJobs(h, ['00um0', '00um1', '00um2', '00um3', '00um4'])
  await okta(h, 'user.account.update_profile', '00um5')
  h.directory.setStatus('00um6', 'SUSPENDED')
  await okta(h, 'user.lifecycle.suspend', '00um6')
  t.equal((await waitingJobOf(h, '00um6'))?.lane, 'deactivate', 'the suspension waits in the deactivate lane')
  t.equal((await waitingJobOf(h, '00um5'))?.lane, 'live')
  t.equal((await waitingJobOf(h, '00um0'))?.lane, 'reconcile')

  await h.buildAnother({ SERVICE_ROLE: 'worker', WORKER_CONCURRENCY: '1' })
  await waitFor('seven PUTs', () => h.enerflo.requests().length, (n) => n === 7)
  const order = h.enerflo.requests().map((r) => r.userId)
  t.same(order.slice(0, 2), [1006, 1005], 'the suspended user first, then the live change')
  t.same(order.slice(2).sort(), [1000, 1001, 1002, 1003, 1004], 'then the reconcile lane')
  t.equal(h.enerflo.user(1006)?.active, false)
})

t.test('a deactivation for a user whose reconcile job waits raises that job instead of being dropped', async (t) => {
  const { okta: people, enerflo } = manyUsers(6)
  const h = await startHarness(t, { role: 'api', oktaUsers: people, enerfloUsers: enerflo })
  await reconcileJobs(h, ['00um0', '00um1', '00um2', '00um3', '00um4', '00um5'])
  const before = await waitingJobOf(h, '00um4')
  t.equal(before?.lane, 'reconcile')
  // A live change for another user is already waiting ahead of every reconcile job.
  await okta(h, 'user.account.update_profile', '00um5')
  t.equal((await waitingJobOf(h, '00um5'))?.lane, 'live', 'a live add raises a reconcile job too')

  h.directory.setStatus('00um4', 'DEPROVISIONED')
  await okta(h, 'user.lifecycle.deactivate', '00um4')
  const after = await waitingJobOf(h, '00um4')
  t.equal(after?.id, before?.id, 'still the one waiting job (deduplicated)')
  t.not(after?.lane, 'reconcile', 'its priority was raised')
  t.equal(await h.app.syncQueue.count(), 6, 'no second job for any user')

  await h.buildAnother({ SERVICE_ROLE: 'worker', WORKER_CONCURRENCY: '1' })
  await waitFor('six PUTs', () => h.enerflo.requests().length, (n) => n === 6)
  t.same(h.enerflo.requests().slice(0, 2).map((r) => r.userId), [1004, 1005], 'the raised job ran first, before the live change')
  t.equal(h.enerflo.user(1004)?.active, false)
})

t.test('a lower-lane add never lowers a waiting job', async (t) => {
  const { okta: people, enerflo } = manyUsers(1)
  const h = await startHarness(t, { role: 'api', oktaUsers: people, enerfloUsers: enerflo })
  await okta(h, 'user.account.update_profile', '00um0')
  await reconcileJobs(h, ['00um0'])
  t.equal((await waitingJobOf(h, '00um0'))?.lane, 'live')
})

t.test('a fresh sync-job add costs one round trip: only an add that was deduplicated reads the waiting job', async (t) => {
  const { okta: people, enerflo } = manyUsers(2)
  const h = await startHarness(t, { role: 'api', oktaUsers: people, enerfloUsers: enerflo })
  // Redis's own count of HGETALL calls (Job.fromId is one), read from INFO commandstats.
  const hgetalls = async (): Promise<number> => {
    const info = await h.app.redis.info('commandstats')
    return Number(/cmdstat_hgetall:calls=(\d+)/.exec(info)?.[1] ?? 0)
  }
  const start = await hgetalls()
  await addJobs(h, [['00um0', 'live']])
  await addJobs(h, [['00um1', 'deactivate']])
  t.equal(await hgetalls(), start, 'two fresh adds, live and deactivate, read no job hash')
  t.equal(await h.app.syncQueue.count(), 2)

  await addJobs(h, [['00um0', 'deactivate']])
  t.equal(await hgetalls(), start + 1, 'an add deduplicated into a waiting job reads it once to compare lanes')
  const [head] = await h.app.syncQueue.getWaiting(0, 0)
  t.equal(head?.data.userId, '00um0', 'and raises it to the head of the wait list')
  t.equal(await h.app.syncQueue.count(), 2, 'still one job per user')
})
