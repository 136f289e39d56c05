/**
 * The reconciliation queue: one job per run ({ runId }), taken by any worker process, so a run
 * survives the process that asked for it and a pass never runs in a request. Attempts 1: a failed
 * pass is recorded as failed (its watermark kept) and the next run starts afresh.
 */
import { Queue, type ConnectionOptions } from 'bullmq'

export const RECONCILE_QUEUE = 'reconcile'
export const RECONCILE_JOB = 'reconcile-run'

export interface ReconcileJob { runId: string }

export function createReconcileQueue (connection: ConnectionOptions, prefix: string): Queue<ReconcileJob> {
  return new Queue<ReconcileJob>(RECONCILE_QUEUE, { connection, prefix })
}

export async function enqueueRun (queue: Queue<ReconcileJob>, runId: string): Promise<void> {
  await queue.add(RECONCILE_JOB, { runId }, { jobId: runId, attempts: 1, removeOnComplete: { count: 200 }, removeOnFail: { count: 200 } })
}
