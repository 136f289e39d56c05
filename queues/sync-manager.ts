/**
 * A manager not yet in Enerflo blocks nothing else (issue 14 item 5). After Enerflo refused a
 * `manager_email` no Enerflo user has, the write goes again without it and the manager stays
 * pending (src/sync/pending-managers.ts); until the manager may exist (due), later writes leave it
 * out instead of being refused again; a manager the provider no longer names is forgotten.
 */
import { UpstreamError } from '../src/errors.js'
import { reasons } from '../src/enerflo/rejection.js'
import type { UserPlan } from '../src/sync/plan.js'
import type { PendingManagers } from '../src/sync/pending-managers.js'

/** What the worker needs: the store, and who to wake when an Enerflo user with an email exists. */
export interface ManagerWaits {
  store: PendingManagers
  /** Queues a sync of every user waiting for this email (no-op for undefined). */
  arrived: (email: string | undefined) => Promise<void>
}

export type ManagerPlan = UserPlan & { managerPending?: boolean }

const lower = (v: unknown): string | undefined => typeof v === 'string' ? v.trim().toLowerCase() : undefined

/** The plan without manager_email. */
export function withoutManager (plan: UserPlan): UserPlan {
  if (plan.body === undefined || plan.body.manager_email === undefined) return plan
  const { manager_email: _m, ...body } = plan.body
  const { manager_email: _c, ...changes } = plan.changes
  const left = Object.keys(body).some((f) => f !== 'id')
  return { ...plan, kind: left ? 'send' : 'unchanged', body: left ? body : undefined, changes }
}

const HELD = 'manager_email: left out until the manager is an Enerflo user (it is sent as soon as the service creates or links one with that email, or at the next retry)'

export async function shapeForManager (m: PendingManagers, key: string, plan: UserPlan): Promise<ManagerPlan> {
  const entry = await m.get(key)
  if (entry === undefined) return plan
  const to = lower(plan.changes['manager_email']?.to)
  if (to !== entry.managerEmail) {
    await m.clear(key)
    return { ...plan, notes: [...plan.notes, 'manager_email: the pending manager is no longer asked for (or already in Enerflo): forgotten'] }
  }
  if (entry.due) return { ...plan, notes: [...plan.notes, 'manager_email: sent again, the manager may be an Enerflo user now'] }
  const rest = withoutManager(plan)
  return { ...rest, managerPending: true, notes: [...rest.notes, `${HELD}; pending since ${entry.since}`] }
}

/** After a refusal: when all Enerflo refused is the manager, records it and answers the plan without it. */
export async function afterManagerRefusal (m: PendingManagers, key: string, plan: UserPlan, err: unknown): Promise<ManagerPlan | undefined> {
  const email = plan.body?.manager_email
  if (email === undefined || !(err instanceof UpstreamError) || err.code !== 'ENERFLO_REJECTED' || err.status < 400 || err.status >= 500) return undefined
  const { message, errors } = reasons(err.body)
  const said = errors.length > 0 ? errors : message !== undefined ? [['', message] as [string, string]] : []
  if (said.length === 0 || !said.every(([field, text]) => field === 'manager_email' || (field === '' && /manager/i.test(text)))) return undefined
  await m.refused({ userKey: key, enerfloId: plan.enerfloId, managerEmail: email, enerflo: said.map(([, text]) => text).join(' ') })
  const rest = withoutManager(plan)
  return { ...rest, managerPending: true, notes: [...rest.notes, `${HELD}: Enerflo has no user with that email yet`] }
}
