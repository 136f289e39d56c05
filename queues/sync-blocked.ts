/**
 * A blocked role removal blocks nothing else (issue 14 item 1). Before a write, a removal Enerflo
 * refused and whose retry is not due yet is left out (the role is kept in the PUT), so the user's
 * other changes go without asking Enerflo a question it has already answered; a removal that is no
 * longer wanted (the user is back in the group, or the role is gone) is forgotten. After a refusal,
 * the removal is recorded and the plan is sent again without it.
 */
import { UpstreamError } from '../src/errors.js'
import { blockedRemovalFix, refusedRemovals } from '../src/enerflo/rejection.js'
import type { UserPlan } from '../src/sync/plan.js'
import type { BlockedRemoval, BlockedRemovals } from '../src/sync/blocked-removals.js'

export type BlockedPlan = UserPlan & { blocked?: string[] }

const list = (v: unknown): string[] => Array.isArray(v) ? v.filter((r): r is string => typeof r === 'string') : []

/** The roles the plan removes: held before, not in the PUT. */
export function removedRoles (plan: UserPlan): string[] {
  const roles = plan.changes['roles']
  if (roles === undefined) return []
  const to = list(roles.to)
  return list(roles.from).filter((r) => !to.includes(r))
}

/** The plan with `keep` put back into its roles; `roles` left out when nothing else changes there. */
export function keepingRoles (plan: UserPlan, keep: readonly string[]): UserPlan {
  const roles = plan.changes['roles']
  if (roles === undefined || plan.body === undefined || keep.length === 0) return plan
  const from = list(roles.from)
  const to = [...new Set([...list(roles.to), ...keep])].sort()
  const body = { ...plan.body }
  const changes = { ...plan.changes }
  if (to.length === from.length && to.every((r) => from.includes(r))) { delete body.roles; delete changes['roles'] } else { body.roles = to; changes['roles'] = { from, to } }
  const left = Object.keys(body).some((f) => f !== 'id')
  return { ...plan, kind: left ? 'send' : 'unchanged', body: left ? body : undefined, changes }
}

const note = (e: BlockedRemoval, roles: string[]): string =>
  `roles: removing ${roles.join(' and ')} is blocked by attributed leads (Enerflo: "${e.enerflo}"); pending since ${e.since}, tried again at ${e.nextRetryAt}; fix: ${e.fix}`

/** Before a write: leave out a pending removal that is not due, forget one no longer wanted. */
export async function shapeForBlocked (blocked: BlockedRemovals, key: string, plan: UserPlan): Promise<BlockedPlan> {
  const entry = await blocked.get(key)
  if (entry === undefined) return plan
  const removing = removedRoles(plan)
  const still = entry.roles.filter((r) => removing.includes(r))
  if (still.length === 0) {
    await blocked.clear(key)
    return { ...plan, notes: [...plan.notes, `roles: the removal of ${entry.roles.join(' and ')} that Enerflo refused is no longer asked for: forgotten`] }
  }
  if (blocked.isDue(entry)) return { ...plan, notes: [...plan.notes, `roles: trying again to remove ${still.join(' and ')} (blocked by attributed leads since ${entry.since})`] }
  const kept = keepingRoles(plan, still)
  return { ...kept, blocked: still, notes: [...kept.notes, note(entry, still)] }
}

/**
 * After Enerflo refused the PUT: when all it refused is removing roles with attributed leads,
 * records that and answers the plan without those removals (kind 'unchanged' when nothing is
 * left to send). Undefined when the refusal was something else.
 */
export async function afterRefusal (blocked: BlockedRemovals, key: string, plan: UserPlan, err: unknown, retryEvery: string): Promise<BlockedPlan | undefined> {
  if (!(err instanceof UpstreamError) || err.code !== 'ENERFLO_REJECTED' || err.status < 400 || err.status >= 500) return undefined
  const refused = refusedRemovals(err.body, removedRoles(plan), plan.body?.roles ?? [])
  if (refused === undefined) return undefined
  const entry = await blocked.refused({ userKey: key, enerfloId: plan.enerfloId, roles: refused.roles, enerflo: refused.enerflo, fix: blockedRemovalFix(refused.roles, plan.enerfloId, key, retryEvery) })
  const rest = keepingRoles(plan, refused.roles)
  return { ...rest, blocked: refused.roles, notes: [...rest.notes, note(entry, refused.roles)] }
}
