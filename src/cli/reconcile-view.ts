/**
 * How the CLI shows reconciliation runs: one run as a summary with its counts by action and the
 * command that downloads its report, and recent runs as a table. Read loosely, as status is, so
 * an older or newer service still prints what it has.
 */
import { clean, duration, table, when } from './format.js'
import type { Progress } from './progress.js'

export interface RunView {
  id: string
  source: string
  mode: string
  dryRun: boolean
  state: 'running' | 'done' | 'failed'
  progress: Progress
  startedAt: string
  finishedAt: string | null
  report: Record<string, number>
  error: string | null
}

// The order of DESIGN.md §3, so the same action is always on the same line.
const ACTIONS = ['link', 'update', 'create', 'deactivate', 'unresolved', 'ambiguous', 'unchanged', 'held']

export function countsOf (report: Record<string, number> | undefined): Array<[string, number]> {
  const entries = Object.entries(report ?? {})
  const rank = (a: string): number => { const i = ACTIONS.indexOf(a); return i === -1 ? ACTIONS.length : i }
  return entries.sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
}

const took = (r: RunView, now: number): string => {
  const start = Date.parse(r.startedAt)
  const end = r.finishedAt === null ? now : Date.parse(r.finishedAt)
  return Number.isNaN(start) || Number.isNaN(end) ? '-' : duration(end - start)
}

const kind = (r: RunView): string => `${clean(r.source)}, ${clean(r.mode)}${r.dryRun ? ', dry run: nothing written' : ''}`

/** The report as a download: the URL, and a curl line that sends the token from the environment. */
export function reportCommand (base: string, id: string): string[] {
  const url = `${base}/ops/reconcile/${encodeURIComponent(id)}/report?format=csv`
  return [`report: ${url}`, `  curl -fsS -H "Authorization: Bearer $OPS_TOKEN" -o reconcile-${id}.csv '${url}'`]
}

export function renderRun (r: RunView, base: string, now = Date.now()): string {
  const head = r.state === 'running'
    ? `run ${clean(r.id)}: running for ${took(r, now)} (${kind(r)})`
    : `run ${clean(r.id)}: ${r.state === 'done' ? 'done' : 'FAILED'} in ${took(r, now)} (${kind(r)})`
  const p = r.progress
  const lines = [head, `  scanned ${clean(p.scanned)} of ${clean(p.total)} · queued ${clean(p.queued)} · started ${when(r.startedAt, now)}`]
  if (r.error !== null && r.error !== undefined) lines.push(`  reason: ${clean(r.error)}`)
  const counts = countsOf(r.report)
  lines.push('', counts.length === 0 ? 'no users reported' : table(['ACTION', 'USERS'], counts))
  if (r.state !== 'running' || counts.length > 0) lines.push('', ...reportCommand(base, r.id))
  return lines.join('\n')
}

export function renderRuns (runs: RunView[], now = Date.now()): string {
  if (runs.length === 0) return 'no reconciliation runs yet (start one: reconcile --source enerflo --dry-run --wait)'
  return table(['RUN', 'SOURCE', 'MODE', 'DRY RUN', 'STATE', 'STARTED', 'TOOK', 'COUNTS'], runs.map((r) => [
    r.id, r.source, r.mode, r.dryRun, r.state, when(r.startedAt, now), took(r, now),
    countsOf(r.report).map(([a, n]) => `${a} ${n}`).join(', ') + (r.error !== null && r.error !== undefined ? ` (${r.error})` : '')
  ]))
}
