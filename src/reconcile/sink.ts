/**
 * Where a provider pass puts what it found: report lines into the run (in batches, which also
 * keeps the run's lock alive) and, unless the run is a dry run, the users to sync into the sync
 * queue: the reconcile lane, but the deactivate lane for a user the pass found no longer active
 * (the lane comes from what the job will do, not from where it came from: a pass that finds a
 * deprovisioned rep must not leave them selling behind a backfill). Users are deduplicated within
 * a pass: a user listed twice (changed and DEPROVISIONED, a delta replay) gets one line and at
 * most one job.
 */
import type { Source } from '../sync/source.js'
import type { Lane } from '../../queues/sync-lanes.js'
import type { ReportLine, Run, Runs } from './runs.js'

/**
 * `run` names the pass, so the brake counts the destructive changes of its jobs together; `lane`
 * is said only when it is not the reconcile lane.
 */
export type Enqueue = (users: Array<{ source: Source, userId: string, run?: string, lane?: Lane }>) => Promise<void>

const BATCH = 200

export function createSink (runs: Runs, run: Run, enqueue: Enqueue) {
  let lines: ReportLine[] = []
  let toQueue: Array<{ source: Source, userId: string, lane?: Lane }> = []
  const done = new Set<string>()
  const flush = async (): Promise<void> => {
    if (!run.dryRun && toQueue.length > 0) await enqueue(toQueue.map((u) => ({ ...u, run: run.id })))
    run.progress.queued += run.dryRun ? 0 : toQueue.length
    await runs.progress(run, lines)
    lines = []
    toQueue = []
  }
  return {
    /** Whether this user already has its line in this pass. */
    has: (source: Source, id: string): boolean => done.has(`${source}:${id}`),
    async add (line: ReportLine, queue: boolean): Promise<void> {
      done.add(`${line.source}:${line.id}`)
      lines.push(line)
      if (queue) toQueue.push({ source: line.source as Source, userId: line.id, ...(line.action === 'deactivate' && { lane: 'deactivate' as const }) })
      run.progress.scanned++
      if (lines.length >= BATCH) await flush()
    },
    flush
  }
}

export type Sink = ReturnType<typeof createSink>
