/**
 * `status`: GET /status as a summary that fits a terminal. The reply is read loosely (every
 * field optional, unknown fields ignored) so an older or newer service still prints what it has.
 */
import { clean, duration, pairs, when } from './format.js'
import { holdHint } from './holds.js'
import type { Command } from './types.js'

interface Outcome { at?: string, userKey?: string, fields?: unknown, code?: string, message?: string }
interface Source { configured?: boolean, lastEventAt?: string | null, counts?: Record<string, unknown>, rejected?: unknown, subscription?: Record<string, unknown> }
export interface StatusView {
  status?: string
  reasons?: string[]
  mode?: string
  syncMode?: string
  role?: string
  version?: string
  uptimeSeconds?: number
  drainEtaSeconds?: number | null
  unknown?: { reason?: string, sections?: string[] }
  redis?: { reachable?: boolean, latencyMs?: number | null, maxmemoryPolicy?: string, aof?: boolean, persistence?: unknown, version?: string }
  queue?: Record<string, number | null> | null
  enerflo?: {
    budget?: { limit?: number, windowMs?: number, used?: number, remaining?: number, pausedUntil?: string | null }
    lastSuccess?: Outcome | null
    lastFailure?: Outcome | null
  } | null
  sources?: Record<string, Source> | null
  sync?: Record<string, unknown>
  unresolved?: { count?: number, users?: Array<{ userKey?: string, since?: string }> } | null
  failures?: { total?: number, groups?: Array<{ title?: string, code?: string, fix?: string, command?: string, count?: number, users?: Array<{ userKey?: string, who?: string | null, at?: string, message?: string }> }> }
  holds?: { open?: string | null, waiting?: number, since?: string | null, reason?: string | null } | null
  reconcile?: {
    running?: Array<{ source?: string, mode?: string, progress?: { scanned?: number, total?: number | null } }>
    next?: Record<string, { incremental?: string | null, full?: string | null }>
  } | null
  blockedRemovals?: { count?: number, retryEveryMs?: number, managersPending?: number, users?: Array<{ userKey?: string, roles?: string[], nextRetryAt?: string }> } | null
  followUps?: { open?: number, items?: Array<{ id?: string, userKey?: string, role?: string }> } | null
  retrying?: { total?: number, jobs?: Array<{ userKey?: string, who?: string | null, attemptsMade?: number, attempts?: number, nextRunAt?: string | null, lastError?: string | null }> }
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed']

const inline = (entries: Array<[string, unknown]>): string => entries.map(([k, v]) => `${k} ${clean(v)}`).join(' · ')

function drain (eta: number | null | undefined): string {
  if (eta === undefined || eta === null) return '-'
  return eta === 0 ? 'nothing waiting' : duration(eta * 1000)
}

export function renderStatus (s: StatusView, now = Date.now()): string {
  const lines: string[] = []
  // Shadow mode writes nothing to Enerflo: said first, so nobody reads the rest as live.
  const about = [s.mode, s.syncMode === 'shadow' && 'SHADOW: nothing is written to Enerflo', s.role !== undefined && `role ${s.role}`, s.version !== undefined && `version ${s.version}`, s.uptimeSeconds !== undefined && `up ${duration(s.uptimeSeconds * 1000)}`]
  lines.push(`${clean(s.status).toUpperCase()}  (${about.filter((x) => typeof x === 'string').map(clean).join(', ')})`)
  for (const reason of s.reasons ?? []) lines.push(`  - ${clean(reason)}`)
  // Unknown is not none: with Redis down the counts are not 0, they cannot be read.
  if (s.unknown !== undefined) lines.push(`  unknown: ${clean(s.unknown.sections)} (${clean(s.unknown.reason)})`)
  lines.push('')
  const q = s.queue ?? undefined
  const e = s.enerflo ?? undefined
  const b = e?.budget
  const r = s.redis ?? {}
  const qStates = q === undefined ? [] : [...QUEUE_STATES, ...Object.keys(q).filter((k) => k !== 'oldestWaitingAgeMs' && !QUEUE_STATES.includes(k))].filter((k) => k in q)
  lines.push(pairs([
    q !== undefined && ['queue', `${inline(qStates.map((k) => [k, q[k]]))} · oldest waiting ${q.oldestWaitingAgeMs === null ? 'none' : duration(q.oldestWaitingAgeMs)}`],
    b !== undefined && ['budget', `${clean(b.used)}/${clean(b.limit)} used in ${duration(b.windowMs)} · ${clean(b.remaining)} remaining · ${typeof b.pausedUntil === 'string' ? `paused until ${when(b.pausedUntil, now)}` : 'not paused'}`],
    ('drainEtaSeconds' in s) && ['drain ETA', drain(s.drainEtaSeconds)],
    e !== undefined && ['last success', outcome(e.lastSuccess, now, 'none yet')],
    e !== undefined && ['last failure', outcome(e.lastFailure, now, 'none')],
    s.sync !== undefined && ['sync', inline(Object.entries(s.sync))],
    'holds' in s && ['holds', holdsLine(s.holds, now)],
    'reconcile' in s && ['reconcile', reconcileLine(s.reconcile, now)],
    'blockedRemovals' in s && ['blocked', blockedLine(s.blockedRemovals, now)],
    'followUps' in s && ['follow-ups', followUpsLine(s.followUps)],
    ['redis', [r.reachable === false ? 'UNREACHABLE' : 'reachable', typeof r.latencyMs === 'number' ? `${r.latencyMs.toFixed(1)} ms` : undefined,
      r.maxmemoryPolicy, r.aof === undefined ? undefined : `AOF ${r.aof ? 'on' : 'off'}`,
      r.persistence !== undefined ? `persistence ${clean(r.persistence)}` : undefined, r.version].filter((x) => x !== undefined).map(clean).join(' · ')]
  ]))
  const sources = Object.entries(s.sources ?? {})
  if (sources.length > 0) {
    lines.push('', 'sources')
    lines.push(pairs(sources.map(([name, src]) => [name, [
      src.configured === false ? 'off' : `last event ${when(src.lastEventAt, now)}`,
      inline(Object.entries(src.counts ?? {})),
      rejected(src.rejected),
      src.subscription !== undefined ? `subscription: ${inline(Object.entries(src.subscription))}` : ''
    ].filter((x) => x.length > 0).join(' · ')]), '  '))
  }
  lines.push(...failureLines(s, now))
  const u = s.unresolved ?? undefined
  if (u !== undefined) {
    const users = u.users ?? []
    lines.push('', `unresolved ${clean(u.count ?? users.length)}`)
    for (const x of users) lines.push(`  ${clean(x.userKey)}  since ${when(x.since, now)}`)
  }
  return lines.join('\n')
}

/** The brake's open hold, which waits for a person: who, since when, why and the next step. */
/** Per provider: a pass going, and when its scheduled incremental and full passes next start. */
function reconcileLine (r: StatusView['reconcile'], now: number): string {
  if (r === null || r === undefined) return 'unknown'
  const parts: string[] = []
  for (const x of r.running ?? []) parts.push(`${clean(x.source)} ${clean(x.mode)} pass RUNNING (${clean(x.progress?.scanned ?? 0)} of ${typeof x.progress?.total === 'number' ? clean(x.progress.total) : '?'})`)
  const at = (iso: string | null | undefined): string => typeof iso === 'string' ? when(iso, now) : 'off'
  for (const [source, n] of Object.entries(r.next ?? {})) parts.push(`${clean(source)} next incremental ${at(n.incremental)}, full ${at(n.full)}`)
  return parts.length === 0 ? 'no schedules (no provider configured) and no pass going' : parts.join('; ')
}

function holdsLine (h: StatusView['holds'], now: number): string {
  if (h === null || h === undefined) return 'unknown'
  if (typeof h.open !== 'string') return 'none waiting'
  return `hold ${clean(h.open)} WAITING: ${clean(h.waiting)} user(s) since ${when(h.since, now)}${typeof h.reason === 'string' ? ` · ${clean(h.reason)}` : ''} · ${holdHint(clean(h.open))}`
}

/** Role removals Enerflo refuses for attributed leads: how many, the first, and where to look. */
function blockedLine (b: StatusView['blockedRemovals'], now: number): string {
  if (b === null || b === undefined) return 'unknown'
  const managers = (b.managersPending ?? 0) > 0 ? ` · ${clean(b.managersPending)} manager(s) not in Enerflo yet (sent once they are)` : ''
  if ((b.count ?? 0) === 0) return `no role removal blocked${managers}`
  const first = b.users?.[0]
  return `${clean(b.count)} role removal(s) refused while leads are attributed (the rest was sent)` +
    `${first === undefined ? '' : ` · ${clean(first.userKey)} ${clean(first.roles)}, next try ${when(first.nextRetryAt, now)}`} · see: blocked${managers}`
}

/** Follow-ups waiting for an operator: how many, the oldest, and where to look. */
function followUpsLine (f: StatusView['followUps']): string {
  if (f === null || f === undefined) return 'unknown'
  if ((f.open ?? 0) === 0) return 'none open'
  const first = f.items?.[0]
  return `${clean(f.open)} open${first === undefined ? '' : ` · ${clean(first.id)}: ${clean(first.userKey)} ${clean(first.role)} removed`} · see: follow-ups`
}

function failureLines (s: StatusView, now: number): string[] {
  const lines: string[] = []
  const groups = s.failures?.groups ?? []
  if (groups.length > 0) lines.push('', `failures ${clean(s.failures?.total)}`)
  for (const g of groups) {
    lines.push(`  ${clean(g.title)} (${clean(g.code)}): ${clean(g.count)}`, `    fix: ${clean(g.fix)}`, `    then: ${clean(g.command)}`)
    for (const u of g.users ?? []) lines.push(`    ${clean(u.who ?? u.userKey)}${u.who != null ? ` (${clean(u.userKey)})` : ''}  ${when(u.at, now)}  ${clean(u.message)}`)
  }
  const jobs = s.retrying?.jobs ?? []
  if (jobs.length > 0) lines.push('', `waiting to retry ${clean(s.retrying?.total)}`)
  for (const j of jobs) {
    lines.push(`  ${clean(j.who ?? j.userKey)}  attempt ${clean((j.attemptsMade ?? 0) + 1)} of ${clean(j.attempts)} at ${when(j.nextRunAt, now)}  ${clean(j.lastError)}`)
  }
  return lines
}

function outcome (o: Outcome | null | undefined, now: number, none: string): string {
  if (o === null || o === undefined) return none
  const what = o.code !== undefined || o.message !== undefined ? ` · ${clean(o.code)}: ${clean(o.message)}` : Array.isArray(o.fields) ? ` · ${clean(o.fields)}` : ''
  return `${clean(o.userKey)} at ${when(o.at, now)}${what}`
}

function rejected (value: unknown): string {
  if (typeof value === 'number') return `rejected ${value}`
  if (typeof value !== 'object' || value === null) return ''
  const entries = Object.entries(value)
  return entries.length === 0 ? '' : `rejected: ${inline(entries)}`
}

export const statusCommand: Command = {
  name: 'status',
  args: '',
  summary: 'Overall health, queue, Enerflo budget, failures by reason with their fix, retries, sources, unresolved users.',
  details: ['Exit code 0 whenever the service answered, whatever its status; read "status" in --json to alert.'],
  async run (ctx) {
    const s = await ctx.api.call<StatusView>('GET', '/status')
    ctx.out(ctx.json ? JSON.stringify(s, null, 2) : renderStatus(s))
    return 0
  }
}
