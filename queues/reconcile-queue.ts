/**
 * The reconciliation queue: one job per run ({ runId }), taken by any worker process, so a run
 * survives the process that asked for it and a pass never runs in a request. Attempts 1: a failed
 * pass is recorded as failed (its watermark kept) and the next run starts afresh.
 *
 * Schedules are BullMQ job schedulers on this queue ({ source, mode } jobs): one per source and
 * mode across every process, since a scheduler id is one key in Redis whoever upserts it. The
 * worker turns each into a run; the runs lock skips it while that source already has one.
 */
import { Queue, type ConnectionOptions } from 'bullmq'
import type { RunMode } from '../src/reconcile/runs.js'

export const RECONCILE_QUEUE = 'reconcile'
export const RECONCILE_JOB = 'reconcile-run'
export const RECONCILE_SCHEDULED = 'reconcile-scheduled'

export type ScheduledSource = 'okta' | 'graph'
export type ReconcileJob = { runId: string } | { source: ScheduledSource, mode: RunMode }

export function createReconcileQueue (connection: ConnectionOptions, prefix: string): Queue<ReconcileJob> {
  return new Queue<ReconcileJob>(RECONCILE_QUEUE, { connection, prefix })
}

export async function enqueueRun (queue: Queue<ReconcileJob>, runId: string): Promise<void> {
  await queue.add(RECONCILE_JOB, { runId }, { jobId: runId, attempts: 1, removeOnComplete: { count: 200 }, removeOnFail: { count: 200 } })
}

const schedulerId = (source: ScheduledSource, mode: RunMode): string => `${source}-${mode}`

/** When each source's incremental and full pass next fires (ms since epoch), or null with no schedule. */
export async function nextScheduled (queue: Queue<ReconcileJob>, sources: readonly ScheduledSource[]): Promise<Record<string, Record<RunMode, number | null>>> {
  const out: Record<string, Record<RunMode, number | null>> = {}
  for (const source of sources) {
    const [incremental, full] = await Promise.all((['incremental', 'full'] as const).map(async (mode) => (await queue.getJobScheduler(schedulerId(source, mode)))?.next ?? null))
    out[source] = { incremental: incremental ?? null, full: full ?? null }
  }
  return out
}

/**
 * An incremental and a full schedule per source (0 ms: none). A scheduler that already has this
 * interval is left alone, so a restart neither moves the next pass nor starts one at once; a new
 * one first fires one interval from now, not at start (a deploy must not set off every pass).
 */
export async function schedulePasses (queue: Queue<ReconcileJob>, sources: readonly ScheduledSource[], every: Record<RunMode, number>): Promise<void> {
  for (const source of sources) {
    for (const mode of ['incremental', 'full'] as const) {
      const id = schedulerId(source, mode)
      const ms = every[mode]
      if (ms === 0) { await queue.removeJobScheduler(id); continue }
      if ((await queue.getJobScheduler(id))?.every === ms) continue
      await queue.upsertJobScheduler(id, { every: ms, startDate: Date.now() + ms }, {
        name: RECONCILE_SCHEDULED, data: { source, mode }, opts: { attempts: 1, removeOnComplete: { count: 200 }, removeOnFail: { count: 200 } }
      })
    }
  }
}
