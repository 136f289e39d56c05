/**
 * The queue of deliveries: what a webhook receiver stores before its 2xx. One job holds every
 * user a delivery named (ids, lanes and event ids only, no personal data); the delivery worker
 * (queues/delivery-worker.ts) turns it into the per-user sync jobs, deduplicated and in their
 * lanes. Storing one plain job is what keeps the receiver as fast as a bare Fastify + BullMQ route
 * (issue 9 item 16): the deduplicated, laned add of each user costs the receiver nothing.
 *
 * Nothing acknowledged is lost: the receiver answers 2xx only once the delivery job is in Redis
 * (and, with REDIS_MIN_REPLICAS, on the replicas), and the delivery job is completed only once all
 * its sync jobs are; a worker that dies between the two runs it again, which only repeats adds
 * that deduplication absorbs.
 */
import type { JobsOptions } from 'bullmq'
import type { SyncJobData } from './sync-queue.js'

export const DELIVERY_QUEUE = 'deliveries'
export const DELIVERY_JOB = 'delivery'

export interface DeliveryJobData {
  /** The sync jobs the delivery asks for, one per distinct user, each with its lane when not live. */
  jobs: SyncJobData[]
}

/**
 * A fan-out fails only when Redis does, so it is tried again for as long as an outage plausibly
 * lasts (FANOUT_ATTEMPTS tries, FANOUT_BACKOFF_MAX_MS apart at most: about 16 hours) rather than
 * dropped: a failed delivery is a change lost. The queue's default options, so each add carries
 * them without building them.
 */
export const FANOUT_ATTEMPTS = 1000
export const FANOUT_BACKOFF_MAX_MS = 60_000
export const DELIVERY_JOB_DEFAULTS: JobsOptions = { attempts: FANOUT_ATTEMPTS, backoff: { type: 'fanout' } }

/** 250 ms, 500 ms, 1 s … capped at FANOUT_BACKOFF_MAX_MS. */
export function fanoutBackoff (attemptsMade: number): number {
  return Math.min(FANOUT_BACKOFF_MAX_MS, 250 * 2 ** Math.max(0, attemptsMade - 1))
}

/**
 * A delivery naming a deactivation waits at the head of the delivery queue (lifo), so a backlog of
 * deliveries does not hold a termination any more than the sync queue's lanes let one be held.
 */
const TERMINATION_FIRST: JobsOptions = { lifo: true }
export function deliveryOptions (jobs: SyncJobData[]): JobsOptions | undefined {
  for (const j of jobs) if (j.lane === 'deactivate') return TERMINATION_FIRST
  return undefined
}
