/**
 * One user of a provider pass: what the worker would do with what the pass read, decided by the
 * worker's own planner (src/sync/plan.ts) so a pass and a sync never disagree about who the user
 * is or what differs. The pass hands it the state it listed instead of a fresh read; the job it
 * queues reads the provider again, so a stale listing can never be applied. In a dry run the
 * context carries the brake's forecast, which marks the destructive changes it would hold.
 */
import { isParked, planSync, type PlanContext } from '../sync/plan.js'
import { destructiveOf } from '../sync/brake.js'
import type { PassBrake } from './brake-forecast.js'
import type { FetchedUser } from '../sync/provider.js'
import { userKey, type Source } from '../sync/source.js'
import type { ReportLine } from './runs.js'

export type JudgeContext = Omit<PlanContext, 'provider'> & { brake?: PassBrake }

/** The report line for one user, and whether a sync job should be queued for it. */
export async function judge (ctx: JudgeContext, source: Source, userId: string, fetched: FetchedUser): Promise<{ line: ReportLine, queue: boolean }> {
  const { brake, ...planCtx } = ctx
  const provider = { source, fetchDesired: async () => fetched }
  const plan = await planSync({ ...planCtx, provider }, userKey(source, userId), userId)
  const base = { source, id: userId }
  if (isParked(plan) && plan.kind === 'unresolved') {
    return { line: { ...base, enerfloId: null, action: plan.why === 'ambiguous' ? 'ambiguous' : 'unresolved', fields: [], reason: plan.reason }, queue: false }
  }
  if (isParked(plan)) return { line: { ...base, enerfloId: null, action: 'unchanged', fields: [], reason: plan.reason }, queue: false }
  if (plan.kind === 'create') return { line: { ...base, enerfloId: null, action: 'create', fields: Object.keys(plan.desired).sort(), reason: plan.reason }, queue: true }
  const fields = Object.keys(plan.changes).sort()
  const reason = [plan.reason, ...plan.notes].join('; ')
  const d = plan.kind === 'send' ? destructiveOf(plan.changes) : undefined
  const braked = (line: ReportLine): ReportLine => d === undefined || brake === undefined ? line : brake.consider(line, d)
  if (plan.linkTo !== undefined) return { line: braked({ ...base, enerfloId: plan.enerfloId, action: 'link', fields, reason }), queue: true }
  if (plan.kind === 'unchanged') return { line: { ...base, enerfloId: plan.enerfloId, action: 'unchanged', fields: [] }, queue: false }
  const action = plan.body?.active === false ? 'deactivate' : 'update'
  return { line: braked({ ...base, enerfloId: plan.enerfloId, action, fields, reason }), queue: true }
}
