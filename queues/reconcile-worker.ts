/**
 * Runs reconciliation passes from the queue: loads the run, runs its pass, records done or failed
 * with the reason. A pass reads and enqueues; it never writes to Enerflo itself.
 */
import { Worker, type ConnectionOptions } from 'bullmq'
import { RECONCILE_QUEUE, type ReconcileJob } from './reconcile-queue.js'
import type { Run, Runs } from '../src/reconcile/runs.js'

export interface ReconcileWorkerOptions {
  connection: ConnectionOptions
  prefix: string
  runs: Runs
  pass: (run: Run) => Promise<void>
  logger: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void }
}

export function createReconcileWorker (opts: ReconcileWorkerOptions): Worker<ReconcileJob> {
  return new Worker<ReconcileJob>(RECONCILE_QUEUE, async (job) => {
    const run = await opts.runs.get(job.data.runId)
    if (run === undefined || run.state !== 'running') return
    try {
      await opts.pass(run)
      await opts.runs.finish(run)
      opts.logger.info({ runId: run.id, source: run.source, report: run.report }, 'reconciliation pass done')
    } catch (err) {
      const reason = (err as Error).message
      await opts.runs.finish(run, reason)
      opts.logger.warn({ runId: run.id, source: run.source, err: { message: reason } }, 'reconciliation pass failed')
    }
  }, { connection: opts.connection, prefix: opts.prefix, concurrency: 2, autorun: false })
}
