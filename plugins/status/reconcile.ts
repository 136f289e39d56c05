/**
 * The `reconcile` section of GET /status: runs going now (progress and an ETA), the last
 * finished run per source with its counts, duration, state, a failed run's reason and where its
 * report is, all read from the run records (app.runs.list(), newest first), and when each
 * configured provider's incremental and full pass is next due (its BullMQ job schedulers).
 */
import { Type } from '@sinclair/typebox'
import type { Run } from '../../src/reconcile/runs.js'
import { maskText } from '../../src/mask.js'
import type { Config } from '../../src/config.js'
import { nextScheduled, type ReconcileJob, type ScheduledSource } from '../../queues/reconcile-queue.js'
import type { Queue } from 'bullmq'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()])
const Progress = Type.Object({ scanned: Type.Integer(), total: Nullable(Type.Integer()), queued: Type.Integer() })
const Common = {
  id: Type.String(), source: Type.String(), mode: Type.String(), dryRun: Type.Boolean(), startedAt: Type.String(),
  progress: Progress, counts: Type.Record(Type.String(), Type.Integer())
}

export const ReconcileSection = Type.Object({
  running: Type.Array(Type.Object({
    ...Common,
    etaSeconds: Nullable(Type.Integer({ description: 'time left at the rate scanned so far; null until the total and a rate are known' }))
  })),
  last: Type.Record(Type.String(), Type.Object({
    ...Common,
    state: Type.Union([Type.Literal('done'), Type.Literal('failed')]),
    finishedAt: Type.String(),
    durationSeconds: Type.Number(),
    error: Nullable(Type.String()),
    report: Type.String({ description: 'the CSV report (needs the ops token)' })
  })),
  next: Type.Record(Type.String(), Type.Object({
    incremental: Nullable(Type.String({ format: 'date-time' })),
    full: Nullable(Type.String({ format: 'date-time' }))
  }), { description: 'per configured provider, when its scheduled incremental and full passes next start; null: that schedule is off (RECONCILE_INTERVAL_MS, RECONCILE_FULL_INTERVAL_MS = 0)' })
})

export type NextRuns = Record<string, { incremental: string | null, full: string | null }>

type Section = {
  running: Array<ReturnType<typeof common> & { etaSeconds: number | null }>
  last: Record<string, ReturnType<typeof common> & { state: 'done' | 'failed', finishedAt: string, durationSeconds: number, error: string | null, report: string }>
  next: NextRuns
}

const common = (r: Run) => ({ id: r.id, source: r.source, mode: r.mode, dryRun: r.dryRun, startedAt: r.startedAt, progress: r.progress, counts: r.report as Record<string, number> })

/**
 * Time left from the rate since the run started: the enerflo pass reads Enerflo's list before it
 * counts users, so early on this runs long, which is the safe side for an estimate.
 */
export function etaSeconds (r: Run, now: number): number | null {
  const { scanned, total } = r.progress
  const elapsed = now - Date.parse(r.startedAt)
  if (total === null || scanned <= 0 || !(elapsed > 0)) return null
  return Math.ceil(Math.max(0, total - scanned) * elapsed / scanned / 1000)
}

/** When the schedules of the providers this deployment is configured for next fire. */
export async function nextRuns (queue: Queue<ReconcileJob>, config: Pick<Config, 'okta' | 'graph'>): Promise<NextRuns> {
  const sources: ScheduledSource[] = [...(config.okta !== undefined ? ['okta' as const] : []), ...(config.graph !== undefined ? ['graph' as const] : [])]
  const iso = (ms: number | null): string | null => ms === null ? null : new Date(ms).toISOString()
  const out: NextRuns = {}
  for (const [source, at] of Object.entries(await nextScheduled(queue, sources))) out[source] = { incremental: iso(at.incremental), full: iso(at.full) }
  return out
}

export function reconcileSection (runs: Run[], reveal: boolean, next: NextRuns = {}, now = Date.now()): Section {
  const section: Section = { running: [], last: {}, next }
  for (const r of runs) {
    if (r.state === 'running') { section.running.push({ ...common(r), etaSeconds: etaSeconds(r, now) }); continue }
    // Newest first: the first finished run of a source is its last one.
    if (section.last[r.source] !== undefined || r.finishedAt === null) continue
    section.last[r.source] = {
      ...common(r),
      state: r.state,
      finishedAt: r.finishedAt,
      durationSeconds: Math.max(0, (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000),
      // A reason can quote what Enerflo or a provider said, an email included.
      error: r.error === null ? null : reveal ? r.error : maskText(r.error),
      report: `/ops/reconcile/${r.id}/report?format=csv`
    }
  }
  return section
}
