/**
 * The `reconcile` section of GET /status: runs going now (progress and an ETA) and the last
 * finished run per source with its counts, duration, state, a failed run's reason and where its
 * report is, all read from the run records (app.runs.list(), newest first).
 */
import { Type } from '@sinclair/typebox'
import type { Run } from '../../src/reconcile/runs.js'
import { maskText } from '../../src/mask.js'

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
  }))
})

type Section = {
  running: Array<ReturnType<typeof common> & { etaSeconds: number | null }>
  last: Record<string, ReturnType<typeof common> & { state: 'done' | 'failed', finishedAt: string, durationSeconds: number, error: string | null, report: string }>
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

export function reconcileSection (runs: Run[], reveal: boolean, now = Date.now()): Section {
  const section: Section = { running: [], last: {} }
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
