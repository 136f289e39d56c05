/**
 * A small queue of its own for the Graph subscription: a job scheduler puts an "ensure" job on it
 * every GRAPH_SUBSCRIPTION_CHECK_MS, and the lifecycle receiver puts "reauthorize" and "recreate"
 * jobs on it. The scheduler is one per queue however many processes upsert it, and the queue's
 * global concurrency is 1, so exactly one instance touches the subscription at a time.
 */
import type { JobsOptions, Queue } from 'bullmq'

export const GRAPH_SUBSCRIPTION_QUEUE = 'graph-subscription'
export const GRAPH_SUBSCRIPTION_SCHEDULER = 'graph-subscription-check'

export type GraphSubscriptionJob =
  | { kind: 'ensure' }
  | { kind: 'reauthorize', subscriptionId: string }
  | { kind: 'recreate', subscriptionId: string }

const KEEP: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 7 * 24 * 3600, count: 200 },
  removeOnFail: { age: 30 * 24 * 3600, count: 200 }
}

/** Idempotent: every worker process calls it at start; the schedule and the limit are per queue. */
export async function scheduleSubscriptionChecks (queue: Queue<GraphSubscriptionJob>, everyMs: number): Promise<void> {
  await queue.setGlobalConcurrency(1)
  await queue.upsertJobScheduler(GRAPH_SUBSCRIPTION_SCHEDULER, { every: everyMs }, {
    name: 'ensure', data: { kind: 'ensure' }, opts: KEEP
  })
}

/** Lifecycle work, one job per (kind, subscription): Graph repeats these, once is enough. */
export async function enqueueLifecycleJobs (queue: Queue<GraphSubscriptionJob>, jobs: Array<Exclude<GraphSubscriptionJob, { kind: 'ensure' }>>): Promise<void> {
  if (jobs.length === 0) return
  await queue.addBulk(jobs.map((data) => ({
    name: data.kind,
    data,
    opts: {
      ...KEEP,
      attempts: 8,
      backoff: { type: 'exponential', delay: 5000 },
      deduplication: { id: `${data.kind}:${data.subscriptionId}` }
    }
  })))
}
