/**
 * Reconciliation runs as operators see them (DESIGN.md §3): one record per run with its progress
 * and counts by action, and a report of one line per user. One run per source at a time across
 * every process: a lock in Redis names the running one (so a second request gets a 409 naming it)
 * and expires if the process running it dies, so a crash never blocks reconciliation for good.
 */
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'

export type RunSource = 'okta' | 'graph' | 'enerflo' | 'all'
export type RunMode = 'incremental' | 'full'
export type ReportAction = 'link' | 'update' | 'create' | 'deactivate' | 'unresolved' | 'ambiguous' | 'unchanged' | 'held'

export interface ReportLine {
  source: string
  id: string
  enerfloId: number | null
  action: ReportAction
  /** The managed fields that differ (names), and why when there is a reason to give. */
  fields: string[]
  reason?: string
}

export interface Run {
  id: string
  source: RunSource
  mode: RunMode
  dryRun: boolean
  state: 'running' | 'done' | 'failed'
  progress: { scanned: number, total: number | null, queued: number }
  startedAt: string
  finishedAt: string | null
  report: Partial<Record<ReportAction, number>>
  error: string | null
}

const LOCK_MS = 5 * 60_000
const KEEP_RUNS = 50
const REPORT_TTL_S = 14 * 24 * 3600

export function createRuns (redis: Redis, prefix: string) {
  const runKey = (id: string): string => `${prefix}:reconcile:run:${id}`
  const reportKey = (id: string): string => `${prefix}:reconcile:report:${id}`
  const lockKey = (source: string): string => `${prefix}:reconcile:lock:${source}`
  const index = `${prefix}:reconcile:runs`
  const save = async (run: Run): Promise<void> => { await redis.set(runKey(run.id), JSON.stringify(run), 'EX', REPORT_TTL_S) }

  return {
    /** Starts a run, or names the one already running for that source. */
    async start (source: RunSource, mode: RunMode, dryRun: boolean): Promise<{ run: Run } | { running: string }> {
      const id = randomUUID()
      if (await redis.set(lockKey(source), id, 'PX', LOCK_MS, 'NX') === null) {
        return { running: await redis.get(lockKey(source)) ?? 'unknown' }
      }
      const run: Run = { id, source, mode, dryRun, state: 'running', progress: { scanned: 0, total: null, queued: 0 }, startedAt: new Date().toISOString(), finishedAt: null, report: {}, error: null }
      await save(run)
      await redis.multi().lpush(index, id).ltrim(index, 0, KEEP_RUNS - 1).exec()
      return { run }
    },

    async get (id: string): Promise<Run | undefined> {
      const raw = await redis.get(runKey(id))
      return raw === null ? undefined : JSON.parse(raw) as Run
    },

    async list (): Promise<Run[]> {
      const ids = await redis.lrange(index, 0, KEEP_RUNS - 1)
      if (ids.length === 0) return []
      return (await redis.mget(...ids.map(runKey))).filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Run)
    },

    /** Progress and report lines; also keeps the lock alive while the run works. */
    async progress (run: Run, lines: ReportLine[]): Promise<void> {
      for (const l of lines) run.report[l.action] = (run.report[l.action] ?? 0) + 1
      const m = redis.multi().pexpire(lockKey(run.source), LOCK_MS)
      if (lines.length > 0) m.rpush(reportKey(run.id), ...lines.map((l) => JSON.stringify(l))).expire(reportKey(run.id), REPORT_TTL_S)
      await m.exec()
      await save(run)
    },

    async finish (run: Run, error?: string): Promise<void> {
      run.state = error === undefined ? 'done' : 'failed'
      run.error = error ?? null
      run.finishedAt = new Date().toISOString()
      await save(run)
      // Only this run's lock: a lock that expired and was taken by another run stays.
      if (await redis.get(lockKey(run.source)) === run.id) await redis.del(lockKey(run.source))
    },

    async report (id: string, offset = 0, limit = 10_000): Promise<ReportLine[]> {
      return (await redis.lrange(reportKey(id), offset, offset + limit - 1)).map((l) => JSON.parse(l) as ReportLine)
    }
  }
}

export type Runs = ReturnType<typeof createRuns>
