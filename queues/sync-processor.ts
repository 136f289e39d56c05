/**
 * The worker's job: fetch the user's current state from its provider, map, resolve the Enerflo
 * id, diff against what was last applied, and send only what changed, inside the shared budget.
 *
 * Failure handling follows DESIGN.md §4: Enerflo's 429 and our own budget pause every worker
 * without spending an attempt; 5xx, timeouts and connection errors are retried by BullMQ with
 * jittered backoff; any other rejection fails the job at once with an operator-facing reason.
 */
import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq'
import { UpstreamError } from '../src/errors.js'
import { formatFailure } from '../src/sync/failure-reason.js'
import type { EnerfloClient } from '../src/enerflo/client.js'
import { isParked, planSync, type PlanContext, type SyncPlan } from '../src/sync/plan.js'
import type { Directory } from '../src/enerflo/directory.js'
import type { ResolveOptions } from '../src/sync/resolve.js'
import type { RoleRules } from '../src/sync/baseline.js'
import { createInEnerflo } from './sync-create.js'
import { sendPlan } from './sync-send.js'
import { shapeForBlocked } from './sync-blocked.js'
import type { BlockedRemovals } from '../src/sync/blocked-removals.js'
import { shapeForManager, type ManagerWaits } from './sync-manager.js'
import type { FollowUpWaits } from './sync-follow-ups.js'
import type { Budget } from '../src/sync/budget.js'
import type { Brake } from '../src/sync/brake.js'
import type { CredentialGate } from '../src/sync/credential-verdicts.js'
import type { ProviderSource } from '../src/sync/provider.js'
import type { AuditEntry, StateStore } from '../src/sync/state-store.js'
import { userKey, type Source } from '../src/sync/source.js'
import type { SyncJobData } from './sync-queue.js'

/** The slice of a pino logger the worker uses (Fastify's logger fits). */
export interface Log {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
}

export interface SyncDeps {
  providers: Partial<Record<Source, ProviderSource>>
  enerflo: EnerfloClient
  store: StateStore
  budget: Budget
  /** The Enerflo window, used when Enerflo says "0 remaining" without saying until when. */
  windowMs: number
  /** The Enerflo client's timeout: a PUT without an answer is retried no sooner than twice this. */
  enerfloTimeoutMs: number
  logger: Log
  /** The sync queue: a 429 pauses every worker on it (BullMQ's queue.rateLimit). */
  queue: Pick<Queue, 'rateLimit'>
  /** Enerflo's user list, when this process keeps one: matching by email and drift repair. */
  directory?: Directory
  /** MATCH_BY_EMAIL and CREATE_USERS. */
  resolve?: ResolveOptions
  /** Which roles the mapping manages and which Enerflo keeps itself. */
  roles?: RoleRules
  /** CREATE_NOTIFY_EMAIL: Enerflo emails a user it creates. */
  createNotifyEmail?: boolean
  /** SYNC_MODE=shadow: plan and record, never write to Enerflo. */
  shadow?: boolean
  /** Holds the destructive part of writes during a mass change (src/sync/brake.ts). */
  brake?: Brake
  /** Keeps jobs waiting while a credential they need is known bad (src/sync/credential-verdicts.ts). */
  credentials?: CredentialGate
  /** Told of every Enerflo answer (0: none came), for metrics. */
  onEnerfloCall?: (status: number) => void
  /** Role removals Enerflo refuses for attributed leads (src/sync/blocked-removals.ts). */
  blocked?: BlockedRemovals
  /** Told of each such refusal, for metrics. */
  onBlocked?: () => void
  /** Managers Enerflo does not know yet (src/sync/pending-managers.ts). */
  managers?: ManagerWaits
  /** Follow-ups for an operator after a Project Manager removal (queues/sync-follow-ups.ts). */
  followUps?: FollowUpWaits
}

export type SyncOutcome = AuditEntry['outcome']

function isTransient (err: unknown): boolean {
  return err instanceof UpstreamError ? err.transient : true
}

function describe (err: unknown): { code: string, message: string } {
  if (err instanceof UpstreamError) return { code: err.code, message: err.message }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) }
}

export function createSyncProcessor (deps: SyncDeps) {
  const { store, logger } = deps

  /** Stops every worker on the queue for ms and puts this job back without spending an attempt. */
  async function pauseQueue (ms: number): Promise<never> {
    await deps.queue.rateLimit(ms)
    throw Worker.RateLimitError()
  }

  async function stepAside (job: Job<SyncJobData>, token: string, ms: number): Promise<never> {
    await deps.queue.rateLimit(ms)
    await job.moveToDelayed(Date.now() + ms, token)
    throw new DelayedError()
  }

  async function fail (job: Job<SyncJobData>, key: string, err: unknown, final: boolean): Promise<never> {
    const error = describe(err)
    const at = new Date().toISOString()
    if (final) {
      await store.recordOutcome(key, { at, outcome: 'failed', eventIds: job.data.eventIds, attempts: job.attemptsMade + 1, error, ...(err instanceof UpstreamError && err.status > 0 ? { enerfloStatus: err.status } : {}) })
      logger.warn({ userKey: key, jobId: job.id, code: error.code }, 'sync failed permanently')
    } else {
      logger.info({ userKey: key, jobId: job.id, code: error.code, attempt: job.attemptsMade + 1 }, 'sync attempt failed, will retry')
    }
    // A final failure always carries "CODE: reason", which the dead-letter routes read back.
    throw final ? new UnrecoverableError(formatFailure(error.code, error.message)) : err
  }

  return async function processSync (job: Job<SyncJobData>, token?: string): Promise<{ outcome: SyncOutcome, fields?: string[] }> {
    const { source, userId, eventIds } = job.data
    const key = userKey(source, userId)
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
    // A credential known bad would fail the job at once: it waits instead, no attempt spent.
    const held = token === undefined || job.id === undefined ? undefined : await deps.credentials?.holdIfBad(source, job.id)
    if (held !== undefined && token !== undefined) {
      await job.moveToDelayed(Date.now() + held.retryInMs, token)
      throw new DelayedError()
    }
    // A reconcile-lane job the budget has nothing for now steps aside unread (no provider read per poll).
    const wait = token === undefined || !(job.priority > 0) ? 0 : await deps.budget.peek('other')
    if (wait > 0 && token !== undefined) return await stepAside(job, token, wait)
    const provider = deps.providers[source]
    if (provider === undefined) {
      return await fail(job, key, new UnrecoverableError(`source ${source} is not configured on this worker`), true)
    }

    let plan: SyncPlan
    try {
      const ctx: PlanContext = { provider, store, directory: deps.directory, ...(deps.resolve !== undefined && { options: deps.resolve }), ...(deps.roles !== undefined && { roles: deps.roles }) }
      plan = await planSync(ctx, key, userId)
    } catch (err) {
      if (err instanceof UpstreamError && err.code.endsWith('_RATE_LIMITED') && token !== undefined) {
        // The provider throttles us: wait as long as it says, without spending an attempt.
        await job.moveToDelayed(Date.now() + (err.retryAfterMs ?? 60_000), token)
        throw new DelayedError()
      }
      return await fail(job, key, err, lastAttempt || !isTransient(err))
    }

    const at = new Date().toISOString()
    const { notes } = plan
    if (plan.firstSight === true) await store.markSeen(key)
    if (isParked(plan)) {
      await store.recordOutcome(key, { at, outcome: plan.kind, eventIds, notes: [...notes, plan.reason], reason: plan.reason })
      if (plan.kind === 'unresolved') logger.info({ userKey: key, why: plan.why }, 'user has no Enerflo user yet: parked as unresolved')
      return { outcome: plan.kind }
    }
    if (plan.kind === 'create') {
      try {
        return await createInEnerflo(deps, key, plan, eventIds, pauseQueue)
      } catch (err) {
        return await fail(job, key, err, lastAttempt || !isTransient(err))
      }
    }
    if (plan.linkTo !== undefined) {
      const linked = await store.link(key, plan.linkTo)
      // Taken between planning and now: park it rather than write to another identity's user.
      if (!linked.ok) {
        const reason = `conflict: Enerflo user ${plan.linkTo} is already linked to ${linked.holder}`
        await store.recordOutcome(key, { at, outcome: 'unresolved', eventIds, notes: [...notes, reason] })
        return { outcome: 'unresolved' }
      }
      await deps.managers?.arrived(plan.baseline?.email ?? plan.body?.email)
    }
    // A removal Enerflo refused for attributed leads, not due again yet, is left out first, so
    // the brake never counts it and the rest is sent (queues/sync-blocked.ts).
    let blocked: string[] | undefined
    if (deps.blocked !== undefined) {
      const shaped = await shapeForBlocked(deps.blocked, key, plan)
      blocked = shaped.blocked
      plan = shaped
    }
    let managerPending: boolean | undefined
    if (deps.managers !== undefined) {
      const shaped = await shapeForManager(deps.managers.store, key, plan)
      managerPending = shaped.managerPending
      plan = shaped
    }
    if (deps.brake !== undefined) plan = await deps.brake.apply(key, plan, job.data.run)
    if (plan.kind === 'unchanged' || plan.body === undefined) {
      const outcome = 'held' in plan ? 'held' : blocked !== undefined || managerPending === true ? 'blocked' : 'unchanged'
      await store.recordOutcome(key, { at, outcome, eventIds, notes: plan.notes })
      return { outcome }
    }
    if (deps.shadow === true) {
      // Shadow mode: everything but the write. The baseline stays as it was, so going live later
      // sends what is really needed.
      const { body, changes } = plan
      const fields = Object.keys(changes)
      await store.recordOutcome(key, { at, outcome: 'shadow', eventIds, notes: plan.notes, fields, changes, wouldSend: body })
      return { outcome: 'shadow', fields }
    }
    return await sendPlan(deps, { ...plan, ...(blocked !== undefined && { blocked }), ...(managerPending === true && { managerPending }) }, {
      key, eventIds, attemptsMade: job.attemptsMade, lastAttempt, pauseQueue, fail: async (err, final) => await fail(job, key, err, final),
      ...(token !== undefined && { stepAside: async (ms: number) => await stepAside(job, token, ms) })
    })
  }
}
