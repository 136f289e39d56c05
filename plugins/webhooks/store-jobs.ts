/**
 * Puts a delivery's jobs into Redis for a receiver, or says why it could not: any failure, or no
 * answer within the deadline, is a 503 so the provider delivers again. Never a 2xx for jobs that
 * are not stored, and never "nothing was stored" when some may have been: a repeat is harmless
 * (jobs are level-triggered and deduplicated), a false "nothing" would mislead an operator.
 *
 * Big deliveries go in chunks, with the event loop let go between them, so one delivery naming
 * thousands of users neither holds every other request for seconds nor trips the deadline, which
 * applies to each chunk's round trip rather than to the CPU spent building all of them.
 */
import { setImmediate as yieldLoop } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { SyncError } from '../../src/errors.js'
import { enqueueSyncJobs, type SyncJobData } from '../../queues/sync-queue.js'
import type { Lane } from '../../queues/sync-lanes.js'
import { waitReplicas } from '../../src/redis-connect.js'
import { DELIVERY_JOB, deliveryOptions } from '../../queues/delivery-queue.js'

const DEADLINE_MS = 2000
export const STORE_CHUNK = 250
export const UNCONFIRMED = 'the queue (Redis) did not confirm every job; some may be stored: deliver again, a repeat is harmless'

/** A store waiting for Redis, and when it stops waiting. */
interface Waiting { due: number, reject: (err: Error) => void }
const waiting = new Set<Waiting>()
/** How often the deadline is checked: a store gives up DEADLINE_MS to DEADLINE_MS + SWEEP_MS after it began. */
const SWEEP_MS = 100
let sweeper: NodeJS.Timeout | undefined

function sweep (): void {
  const now = Date.now()
  for (const w of waiting) {
    if (w.due <= now) { waiting.delete(w); w.reject(new Error('Redis did not answer in time')) }
  }
  if (waiting.size === 0 && sweeper !== undefined) { clearInterval(sweeper); sweeper = undefined }
}

/**
 * The work, or a rejection once DEADLINE_MS passed. One shared sweep checks every store's deadline
 * instead of a timer per call: on the webhook path a timer set and cleared on every delivery
 * cost more than the check (at one connection the timer list empties and is rebuilt each time).
 */
function withDeadline (work: Promise<unknown>): Promise<void> {
  // Not an async function: the promise itself is the answer, without a wrapper and its extra hop.
  return new Promise<void>((resolve, reject) => {
    const w: Waiting = { due: Date.now() + DEADLINE_MS, reject }
    waiting.add(w)
    if (sweeper === undefined) {
      sweeper = setInterval(sweep, SWEEP_MS)
      sweeper.unref()
    }
    work.then(() => { waiting.delete(w); resolve() }, (err: unknown) => { waiting.delete(w); reject(err as Error) })
  })
}

/** How long WAIT may take for REDIS_MIN_REPLICAS replicas (inside the store deadline). */
export const REPLICA_WAIT_MS = 1500

/**
 * REDIS_MIN_REPLICAS ≥ 1: WAIT on the queue's producer connection (app.redisQueue, which wrote the
 * jobs; on a cluster, its connection to the slot's primary) until that many replicas have every
 * write it made, or 503. With the default 0 it returns at once: no round trip.
 */
export async function confirmReplicated (app: FastifyInstance): Promise<void> {
  const wanted = app.config.redis.minReplicas
  if (wanted === 0) return
  let got: number | undefined
  try {
    got = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('Redis did not answer WAIT in time')) }, DEADLINE_MS)
      waitReplicas(app.redisQueue, app.syncQueue.toKey(''), wanted, REPLICA_WAIT_MS).then((n) => { clearTimeout(timer); resolve(n) }, (err: unknown) => { clearTimeout(timer); reject(err as Error) })
    })
  } catch (err) {
    app.log.error({ err: { name: (err as Error).name, message: (err as Error).message }, wanted }, 'could not confirm the jobs on the replicas')
    throw new SyncError('QUEUE_UNAVAILABLE', `${UNCONFIRMED}; the replicas were not asked (REDIS_MIN_REPLICAS=${wanted})`, 503, { cause: err })
  }
  if (got < wanted) {
    app.log.error({ wanted, confirmed: got }, 'replicas did not confirm the jobs')
    throw new SyncError('QUEUE_UNAVAILABLE', `the jobs are on the Redis primary but only ${got} of ${wanted} replicas (REDIS_MIN_REPLICAS) confirmed them within ${REPLICA_WAIT_MS} ms: deliver again, a repeat is harmless`, 503)
  }
}

/** Any other write a receiver must have confirmed before its 2xx, under the same rule. */
export async function storeConfirmed (app: FastifyInstance, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await withDeadline(work())
  } catch (err) {
    app.log.error({ err: { name: (err as Error).name, message: (err as Error).message }, what }, 'could not store')
    throw new SyncError('QUEUE_UNAVAILABLE', UNCONFIRMED, 503, { cause: err })
  }
  await confirmReplicated(app)
}

/**
 * `lane` is for jobs that do not say their own (a reconcile pass says 'reconcile'); a job's own
 * lane wins, so a receiver can put one user of a delivery in the deactivate lane.
 */
export async function storeJobs (app: FastifyInstance, jobs: SyncJobData[], lane?: Lane): Promise<void> {
  const settings = { attempts: app.config.JOB_ATTEMPTS }
  if (lane !== undefined) jobs = jobs.map((j) => j.lane === undefined ? { ...j, lane } : j)
  let confirmed = 0
  try {
    for (let at = 0; at < jobs.length; at += STORE_CHUNK) {
      if (at > 0) await yieldLoop()
      const chunk = jobs.length <= STORE_CHUNK ? jobs : jobs.slice(at, at + STORE_CHUNK)
      await withDeadline(enqueueSyncJobs(app.syncQueue, chunk, settings))
      confirmed += chunk.length
    }
  } catch (err) {
    app.log.error({ err: { name: (err as Error).name, message: (err as Error).message }, jobs: jobs.length, confirmed }, 'could not store jobs')
    throw new SyncError('QUEUE_UNAVAILABLE', `${UNCONFIRMED} (${confirmed} of ${jobs.length} confirmed)`, 503, { cause: err })
  }
  // Not awaited when there is nothing to wait for: an await of a call that returns at once still
  // costs each delivery a promise and a turn of the microtask queue.
  if (app.config.redis.minReplicas > 0) await confirmReplicated(app)
}

/**
 * What a webhook receiver stores before its 2xx: the whole delivery as one plain job, which the
 * delivery worker fans out into the per-user sync jobs (queues/delivery-queue.ts). One add without
 * deduplication costs the request what a bare Fastify + BullMQ route spends; the deduplicated,
 * laned adds are the worker's. Under the same rule as storeJobs: any failure, or no answer within
 * the deadline, is a 503 that never says nothing was stored.
 */
export async function storeDelivery (app: FastifyInstance, jobs: SyncJobData[]): Promise<void> {
  if (jobs.length === 0) return
  try {
    await withDeadline(app.deliveryQueue.add(DELIVERY_JOB, { jobs }, deliveryOptions(jobs)))
  } catch (err) {
    app.log.error({ err: { name: (err as Error).name, message: (err as Error).message }, jobs: jobs.length }, 'could not store a delivery')
    throw new SyncError('QUEUE_UNAVAILABLE', UNCONFIRMED, 503, { cause: err })
  }
  if (app.config.redis.minReplicas > 0) await confirmReplicated(app)
}
