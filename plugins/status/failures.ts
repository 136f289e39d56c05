/**
 * The failure parts of GET /status: current dead letters grouped by what fixes them, and jobs that
 * wait to retry (BullMQ's delayed set: an Enerflo 5xx, a timeout, a provider's throttle) with when
 * they run next. Each names who it is about (display name, else masked email) so a person can act
 * without looking ids up. Emails and phones in reasons are masked unless revealed.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { maskEmail, maskText } from '../../src/mask.js'
import { adviceFor, retryCommand } from '../../src/sync/failure-advice.js'
import { createFailureLog } from '../../src/sync/failure-log.js'
import { parseFailure } from '../../src/sync/failure-reason.js'
import { userKey as keyOf } from '../../queues/sync-queue.js'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()])
/** Shown per group and per retry list; the totals say how many more there are. */
const USERS_PER_GROUP = 10
const RETRYING_SHOWN = 20

export const FailureSection = Type.Object({
  total: Type.Integer({ description: 'users whose latest job failed for good (newest 200 kept)' }),
  groups: Type.Array(Type.Object({
    reason: Type.String(), code: Type.String(), title: Type.String(),
    fix: Type.String({ description: 'what to do, in words' }),
    command: Type.String({ description: 'the CLI command that runs the group\'s jobs again, once fixed' }),
    count: Type.Integer(), lastAt: Type.String(),
    users: Type.Array(Type.Object({
      userKey: Type.String(), who: Nullable(Type.String()), jobId: Type.String(), at: Type.String(),
      message: Type.String({ description: 'the reason, in Enerflo\'s (or the provider\'s) words' }),
      attempts: Type.Integer(), command: Type.String()
    }))
  }))
})

export const RetryingSection = Type.Object({
  total: Type.Integer(),
  jobs: Type.Array(Type.Object({
    jobId: Type.String(), userKey: Type.String(), who: Nullable(Type.String()),
    attemptsMade: Type.Integer(), attempts: Type.Integer(),
    nextRunAt: Nullable(Type.String()), lastError: Nullable(Type.String())
  }))
})

/** "Ada Lovelace", else "a***@example.com", else null: from what was last sent to Enerflo. */
async function who (app: FastifyInstance, userKey: string, reveal: boolean): Promise<string | null> {
  const record = await app.store.get(userKey).catch(() => undefined)
  const f = { ...record?.inDoubt, ...record?.applied }
  const name = [f.first_name, f.last_name].filter((s) => typeof s === 'string' && s.trim() !== '').join(' ')
  if (name !== '') return name
  if (typeof f.email === 'string') return reveal ? f.email : maskEmail(f.email)
  return null
}

export async function failureSection (app: FastifyInstance, reveal: boolean): Promise<Static<typeof FailureSection>> {
  const log = createFailureLog(app.redis, app.config.QUEUE_PREFIX)
  const all = await log.recent()
  // A dead letter retried or discarded since is no longer the operator's problem.
  const exists = await app.redis.pipeline(all.map((e) => ['exists', app.syncQueue.toKey(e.jobId)])).exec() ?? []
  const open = all.filter((_, i) => exists[i]?.[1] === 1)
  const gone = all.filter((_, i) => exists[i]?.[1] === 0).map((e) => e.userKey)
  if (gone.length > 0) void log.forget(gone).catch(() => {})
  const groups = new Map<string, { code: string, advice: ReturnType<typeof adviceFor>, entries: typeof open }>()
  for (const e of open) {
    const advice = adviceFor(e.code, e.message)
    const id = `${e.code}/${advice.reason}`
    const g = groups.get(id) ?? { code: e.code, advice, entries: [] }
    g.entries.push(e)
    groups.set(id, g)
  }
  const out = await Promise.all([...groups.values()].map(async ({ code, advice, entries }) => ({
    reason: advice.reason, code, title: advice.title, fix: advice.fix,
    command: retryCommand(entries.map((e) => e.jobId), code),
    count: entries.length,
    lastAt: entries[0]?.at ?? '',
    users: await Promise.all(entries.slice(0, USERS_PER_GROUP).map(async (e) => ({
      userKey: e.userKey, who: await who(app, e.userKey, reveal), jobId: e.jobId, at: e.at,
      message: reveal ? e.message : maskText(e.message), attempts: e.attempts, command: retryCommand([e.jobId], code)
    })))
  })))
  // The biggest problem first: at 3 am that is the one to fix.
  return { total: open.length, groups: out.sort((a, b) => b.count - a.count || b.lastAt.localeCompare(a.lastAt)) }
}

export async function retryingSection (app: FastifyInstance, reveal: boolean): Promise<Static<typeof RetryingSection>> {
  const delayed = app.syncQueue.keys.delayed as string
  const [total, rows] = await Promise.all([app.redis.zcard(delayed), app.redis.zrange(delayed, 0, RETRYING_SHOWN - 1, 'WITHSCORES')])
  const soonest: Array<{ id: string, at: number }> = []
  // BullMQ scores a delayed job as (run-at ms × 4096 + a tie-breaker).
  for (let i = 0; i + 1 < rows.length; i += 2) soonest.push({ id: rows[i] as string, at: Math.floor(Number(rows[i + 1]) / 0x1000) })
  const jobs = await Promise.all(soonest.map(async ({ id, at }) => {
    const job = await app.syncQueue.getJob(id)
    if (job === undefined) return undefined
    const userKey = keyOf(job.data.source, job.data.userId)
    const reason = typeof job.failedReason === 'string' && job.failedReason !== '' ? parseFailure(job.failedReason).message : null
    return {
      jobId: id, userKey, who: await who(app, userKey, reveal),
      attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1,
      nextRunAt: Number.isFinite(at) && at > 0 ? new Date(at).toISOString() : null,
      lastError: reason === null ? null : reveal ? reason : maskText(reason)
    }
  }))
  return { total, jobs: jobs.filter((j) => j !== undefined) }
}
