/**
 * The delivery worker (SERVICE_ROLE all or worker): turns each stored delivery into its per-user
 * sync jobs (queues/delivery-queue.ts), in chunks of FANOUT_CHUNK with the event loop let go
 * between them, so a delivery naming thousands of users holds nothing else for long. The delivery
 * job completes only after its last chunk is stored; until then a crash, a lost lock or a Redis
 * error runs it again, and the repeat adds are absorbed by the sync queue's deduplication.
 */
import { setImmediate as yieldLoop } from 'node:timers/promises'
import { Worker, type Job, type Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { enqueueSyncJobs, type SyncJobData } from './sync-queue.js'
import { DELIVERY_QUEUE, fanoutBackoff, type DeliveryJobData } from './delivery-queue.js'

export const FANOUT_CHUNK = 250
/**
 * How long one chunk's adds may take before the try counts as failed: a connection that never
 * became ready holds a BullMQ add without an error, and a delivery must not sit active forever.
 */
export const CHUNK_TIMEOUT_MS = 10_000

export interface DeliveryWorkerOptions {
  connection: Redis
  prefix: string
  syncQueue: Queue<SyncJobData>
  /** JOB_ATTEMPTS, for the sync jobs it stores. */
  attempts: number
  /** How many deliveries it fans out at once: each is a Redis round trip or a few, nothing slower. */
  concurrency?: number
  /** WORKER_LOCK_MS: how soon a delivery whose worker died is run again (the sync worker's too). */
  lockMs?: number
}

export function fanOut (syncQueue: Queue<SyncJobData>, attempts: number) {
  const settings = { attempts }
  return async (job: Job<DeliveryJobData>): Promise<number> => {
    const { jobs } = job.data
    for (let at = 0; at < jobs.length; at += FANOUT_CHUNK) {
      if (at > 0) await yieldLoop()
      await inTime(enqueueSyncJobs(syncQueue, jobs.length <= FANOUT_CHUNK ? jobs : jobs.slice(at, at + FANOUT_CHUNK), settings))
    }
    return jobs.length
  }
}

async function inTime (work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([work, new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`the sync queue did not take the jobs within ${CHUNK_TIMEOUT_MS} ms`)) }, CHUNK_TIMEOUT_MS)
    })])
  } finally {
    clearTimeout(timer)
  }
}

export function createDeliveryWorker (opts: DeliveryWorkerOptions): Worker<DeliveryJobData> {
  return new Worker<DeliveryJobData>(DELIVERY_QUEUE, fanOut(opts.syncQueue, opts.attempts), {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? 16,
    settings: { backoffStrategy: fanoutBackoff },
    ...(opts.lockMs !== undefined && { lockDuration: opts.lockMs, stalledInterval: opts.lockMs }),
    // A delivery that stalled (its worker died) is run again, however often: failing it would
    // drop every change it holds, and running it again only repeats deduplicated adds.
    maxStalledCount: 1000,
    // A fanned-out delivery is no evidence of anything its sync jobs do not show better.
    removeOnComplete: { count: 0 },
    // One that failed every attempt is kept for an operator (/status counts them), within bounds.
    removeOnFail: { count: 10_000 },
    autorun: false
  })
}
