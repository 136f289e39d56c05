/**
 * The write of one plan: the shared budget, PUT /api/v3/users, and what each answer means
 * (DESIGN.md §4). A 429 pauses every worker; no answer leaves the fields in doubt and waits past
 * the client timeout before a retry; a refusal that is only a role removal blocked by attributed
 * leads (queues/sync-blocked.ts) is recorded and the rest of the plan is sent without it.
 */
import { AmbiguousWriteError, UpstreamError } from '../src/errors.js'
import { applyDiff } from '../src/mapping/diff.js'
import type { UserPlan } from '../src/sync/plan.js'
import { afterRefusal, type BlockedPlan } from './sync-blocked.js'
import { afterManagerRefusal } from './sync-manager.js'
import { emailTakenFailure } from './sync-email-taken.js'
import { followUpAfterApplied, followUpNote } from './sync-follow-ups.js'
import type { SyncDeps, SyncOutcome } from './sync-processor.js'

export interface SendContext {
  key: string
  eventIds: string[]
  /** Attempts made before this one (BullMQ's attemptsMade). */
  attemptsMade: number
  pauseQueue: (ms: number) => Promise<never>
  /**
   * Like pauseQueue, but this job waits behind the others (delayed) rather than back at the head
   * of the wait list, where BullMQ puts a rate-limited job: so a deactivation that arrives while
   * a backlog job is held back by the budget's reserve is taken first when the pause ends.
   */
  stepAside?: (ms: number) => Promise<never>
  /** Fails the job: for good when `final` (with the reason recorded), else for a retry. */
  fail: (err: unknown, final: boolean) => Promise<never>
  lastAttempt: boolean
}

const isTransient = (err: unknown): boolean => err instanceof UpstreamError ? err.transient : true

/** How often a blocked removal is retried, in words for the fix. */
export function every (ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} hours`
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`
  return `${ms / 1000} s`
}

export type SendablePlan = BlockedPlan & { managerPending?: boolean }

/** `fallbacks`: writes already sent again without a refused part (at most one per kind). */
export async function sendPlan (deps: SyncDeps, plan: SendablePlan, ctx: SendContext, fallbacks = 0): Promise<{ outcome: SyncOutcome, fields?: string[] }> {
  const { store, budget, logger } = deps
  const { key, eventIds } = ctx
  const { body, changes, baseline, notes } = plan
  if (body === undefined) {
    const outcome = plan.blocked !== undefined || plan.managerPending === true ? 'blocked' : 'unchanged'
    await store.recordOutcome(key, { at: new Date().toISOString(), outcome, eventIds, notes })
    return { outcome }
  }
  const fields = Object.keys(changes)
  // Terminations first: a deactivation may take the budget's kept slots (src/sync/budget.ts).
  const deactivation = body.active === false
  const wait = await budget.acquire(deactivation ? 'deactivation' : 'other')
  if (wait > 0) return await (deactivation || ctx.stepAside === undefined ? ctx.pauseQueue(wait) : ctx.stepAside(wait))

  const { id: _id, ...sent } = body
  // Until a 2xx says otherwise, what this PUT carries may or may not be in Enerflo.
  await store.markInDoubt(key, { ...plan.inDoubt, ...sent })
  let res
  try {
    res = await deps.enerflo.updateUser(body)
    deps.onEnerfloCall?.(res.status)
  } catch (err) {
    deps.onEnerfloCall?.(err instanceof UpstreamError ? err.status : 0)
    if (err instanceof UpstreamError && err.code === 'ENERFLO_RATE_LIMITED') {
      const ms = err.retryAfterMs ?? deps.windowMs
      logger.warn({ userKey: key, retryAfterMs: ms }, 'Enerflo answered 429: pausing every worker')
      await budget.pause(ms, 'enerflo-429')
      return await ctx.pauseQueue(ms)
    }
    const roles = fallbacks >= 2 || deps.blocked === undefined ? undefined : await afterRefusal(deps.blocked, key, plan as UserPlan, err, every(deps.blocked.retryMs))
    const manager = roles !== undefined || fallbacks >= 2 || deps.managers === undefined ? undefined : await afterManagerRefusal(deps.managers.store, key, plan as UserPlan, err)
    const rest = roles ?? manager
    if (rest !== undefined) {
      // Enerflo answered: nothing of this PUT is in doubt; what is left goes now.
      await store.markInDoubt(key, plan.inDoubt ?? {})
      if (roles !== undefined) {
        logger.info({ userKey: key, roles: roles.blocked }, 'role removal blocked by attributed leads: the other changes are sent without it')
        deps.onBlocked?.()
      } else logger.info({ userKey: key }, 'manager not in Enerflo yet: the other changes are sent without manager_email, which waits for the manager')
      return await sendPlan(deps, { ...rest, ...(plan.blocked !== undefined && { blocked: plan.blocked }), ...(plan.managerPending === true && { managerPending: true }) }, ctx, fallbacks + 1)
    }
    // A new email Enerflo says is taken: for good at once, with the holder and the fix.
    const taken = await emailTakenFailure(deps, body, err)
    if (taken !== undefined) return await ctx.fail(taken, true)
    // No answer: Enerflo may still be working on this PUT. A retry sent now could land before
    // it and be overwritten by it; waiting past the client timeout lets it land first.
    const failure = err instanceof UpstreamError && err.status === 0 ? new AmbiguousWriteError(err, 2 * deps.enerfloTimeoutMs) : err
    return await ctx.fail(failure, ctx.lastAttempt || !isTransient(failure))
  }
  // Enerflo says when its window resets only now and then; when it does, and nothing is left,
  // everyone waits for that. Without a reset time our own budget log already knows when the
  // next slot frees, and pausing for a whole window would waste the rest of this one.
  if (res.rateLimitRemaining === 0 && res.rateLimitResetMs !== undefined) {
    await budget.pause(res.rateLimitResetMs, 'enerflo-remaining-0')
  }
  // A Project Manager removal asks for a person's follow-up, recorded before the write is (so a
  // retry after a failure here finds the same open one).
  const followUp = deps.followUps === undefined ? undefined : await followUpAfterApplied(deps.followUps, key, plan as UserPlan, sent)
  if (followUp !== undefined) logger.info({ userKey: key, followUp: followUp.id }, 'Project Manager role removed: follow-up recorded for an operator (install contacts)')
  await store.recordApplied(key, applyDiff(baseline ?? {}, sent), {
    at: new Date().toISOString(), outcome: 'applied', eventIds, fields, changes, notes: followUp === undefined ? notes : [...notes, followUpNote(followUp)], enerfloStatus: res.status, attempts: ctx.attemptsMade + 1
  })
  await deps.directory?.patch(plan.enerfloId, sent)
  // A removal that went through is no longer pending; nor is a manager Enerflo took.
  if (plan.blocked === undefined && deps.blocked !== undefined && Array.isArray(sent.roles)) await deps.blocked.clearIfGone(key, sent.roles)
  if (sent.manager_email !== undefined) await deps.managers?.store.clear(key)
  // This user exists in Enerflo with this email: whoever waits for it as a manager can have it now.
  await deps.managers?.arrived(sent.email ?? baseline?.email)
  logger.info({ userKey: key, fields }, 'user applied to Enerflo')
  return { outcome: 'applied', fields }
}
