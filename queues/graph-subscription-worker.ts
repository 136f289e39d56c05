/**
 * The worker of the Graph subscription queue: runs the keeper for each job, one at a time. A job
 * that fails records why (shown in /status) and is tried again by the next scheduled check, or by
 * its own retries for lifecycle jobs.
 */
import { Worker, type Job } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Keeper } from '../src/graph/subscription-keeper.js'
import type { SubscriptionState } from '../src/graph/subscription-state.js'
import { GRAPH_SUBSCRIPTION_QUEUE, type GraphSubscriptionJob } from './graph-subscription-queue.js'

export interface GraphSubscriptionWorkerOptions {
  connection: Redis
  prefix: string
  keeper: Keeper
  state: SubscriptionState
  log: { warn: (obj: object, msg: string) => void }
}

export function createGraphSubscriptionWorker (opts: GraphSubscriptionWorkerOptions): Worker<GraphSubscriptionJob> {
  const { keeper, state } = opts
  const processor = async (job: Job<GraphSubscriptionJob>): Promise<string> => {
    const data = job.data
    try {
      const outcome = data.kind === 'reauthorize'
        ? await keeper.reauthorize(data.subscriptionId)
        : data.kind === 'recreate'
          ? await keeper.recreate(data.subscriptionId)
          : await keeper.ensure()
      await state.save({ lastError: '' })
      return outcome
    } catch (err) {
      const message = `${(err as { code?: string }).code ?? 'INTERNAL'}: ${(err as Error).message}`
      opts.log.warn({ kind: data.kind, code: (err as { code?: string }).code }, 'graph subscription job failed')
      await state.save({ lastError: message }).catch(() => {})
      throw err
    }
  }
  return new Worker<GraphSubscriptionJob>(GRAPH_SUBSCRIPTION_QUEUE, processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: 1,
    autorun: false
  })
}
