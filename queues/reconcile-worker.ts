/**
 * Runs reconciliation passes from the queue: loads the run (or, for a scheduled job, starts one
 * unless that source already has one going), runs its pass, records done or failed with the
 * reason. A pass reads and enqueues; it never writes to Enerflo itself.
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

async function runOf (runs: Runs, data: ReconcileJob, logger: ReconcileWorkerOptions['logger']): Promise<Run | undefined> {
  if ('runId' in data) return await runs.get(data.runId)
  const started = await runs.start(data.source, data.mode, false)
  if ('run' in started) return started.run
  // The next interval comes soon enough; two passes of one source would only read twice.
  logger.info({ source: data.source, mode: data.mode, running: started.running }, 'scheduled pass skipped: one is running')
  return undefined
}

export function createReconcileWorker (opts: ReconcileWorkerOptions): Worker<ReconcileJob> {
  return new Worker<ReconcileJob>(RECONCILE_QUEUE, async (job) => {
    const run = await runOf(opts.runs, job.data, opts.logger)
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
