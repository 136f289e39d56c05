/**
 * Builds the BullMQ worker for the sync queue. Workers use their own connection with
 * maxRetriesPerRequest: null (BullMQ's requirement for blocking commands), so a Redis outage makes
 * them wait and reconnect instead of failing jobs.
 */
import { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { createSyncProcessor, type SyncDeps } from './sync-processor.js'
import { jitteredBackoff, REMOVE_ON_COMPLETE, REMOVE_ON_FAIL, SYNC_QUEUE, userKey, type SyncJobData } from './sync-queue.js'
import { createFailureLog } from '../src/sync/failure-log.js'
import { parseFailure } from '../src/sync/failure-reason.js'
import { AmbiguousWriteError } from '../src/errors.js'

export interface SyncWorkerOptions {
  connection: Redis
  prefix: string
  concurrency: number
  backoffMs: number
  /** How long a job's lock lives without renewal: a crashed worker's job runs again after this. */
  lockMs: number
  deps: SyncDeps
}

export function createSyncWorker (opts: SyncWorkerOptions): Worker<SyncJobData> {
  const processor = createSyncProcessor(opts.deps)
  const worker: Worker<SyncJobData> = new Worker<SyncJobData>(SYNC_QUEUE, processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    // BullMQ honours queue.rateLimit() only for workers with a limiter. The real budget is counted per
    // Enerflo call in src/sync/budget.ts, so this one is set high enough never to bind by itself.
    limiter: { max: 1_000_000_000, duration: 1000 },
    settings: {
      // An error may say how long to wait at least (a PUT that got no answer: see the processor).
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
        Math.max(jitteredBackoff(attemptsMade, opts.backoffMs), err instanceof AmbiguousWriteError ? err.retryNotBeforeMs : 0)
    },
    lockDuration: opts.lockMs,
    stalledInterval: opts.lockMs,
    // Jobs are level-triggered and idempotent, so running one again after a crash is always
    // safe; failing it for having stalled (BullMQ's default after one stall) would drop a change.
    maxStalledCount: 100,
    // How many finished jobs stay (queues/sync-queue.ts): for every job, which carries none itself.
    removeOnComplete: REMOVE_ON_COMPLETE,
    removeOnFail: REMOVE_ON_FAIL,
    autorun: false
  })
  // Operators see current dead letters by reason (/status): a final failure is noted, a later
  // job that completes for the same user clears it. Best effort: the dead letter itself is BullMQ's.
  const failures = createFailureLog(opts.connection, opts.prefix)
  const note = (p: Promise<void>): void => { p.catch((err: Error) => opts.deps.logger.warn({ err: { name: err.name, message: err.message } }, 'could not update the failure log')) }
  worker.on('failed', (job, err) => {
    if (job === undefined || job.finishedOn === undefined) return
    note(failures.record({ at: new Date(job.finishedOn).toISOString(), jobId: String(job.id), userKey: userKey(job.data.source, job.data.userId), ...parseFailure(err.message), attempts: job.attemptsMade }))
  })
  worker.on('completed', (job) => { note(failures.clear(userKey(job.data.source, job.data.userId))) })
  return worker
}
