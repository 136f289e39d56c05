/**
 * What one sync of one user would do, decided from the provider's current state, who the user is
 * in Enerflo (resolve.ts) and what Enerflo holds (baseline.ts) — without doing it. The worker
 * carries a plan out; the operator's preview shows it.
 */
import { diffFields } from '../mapping/diff.js'
import type { EnerfloUpdateBody, EnerfloUserFields } from '../mapping/types.js'
import type { Directory } from '../enerflo/directory.js'
import type { ProviderSource } from './provider.js'
import type { StateStore } from './state-store.js'
import { resolveUser, type ResolveOptions } from './resolve.js'
import { baselineOf, rolesToSend, type RoleRules } from './baseline.js'
import { clearedNotes } from './cleared.js'

export type FieldChanges = Record<string, { from: unknown, to: unknown }>

export interface ParkedPlan {
  kind: 'unresolved' | 'gone'
  /** Why it is parked: no match, several matches, the match is taken, or an unknown id. */
  why?: 'unresolved' | 'ambiguous' | 'conflict' | 'unknown-id'
  reason: string
  notes: string[]
  /** The provider returned the user now and had not before: the worker records it as seen. */
  firstSight?: boolean
}

/** No Enerflo user matches and CREATE_USERS is on: add one (POST /api/v1/users) and link it. */
export interface CreatePlan { kind: 'create', reason: string, notes: string[], firstSight: boolean, desired: EnerfloUserFields }

export interface UserPlan {
  kind: 'unchanged' | 'send'
  reason: string
  notes: string[]
  enerfloId: number
  /** How the Enerflo user was found. */
  how: 'attribute' | 'link' | 'email'
  /** Set when the link must be stored (a new id from the attribute, or an email match). */
  linkTo: number | undefined
  /** What Enerflo holds as far as we know (undefined: never applied, never read). */
  baseline: EnerfloUserFields | undefined
  /** Fields still in doubt from an earlier PUT (kept in doubt until a 2xx). */
  inDoubt: EnerfloUserFields | undefined
  body: EnerfloUpdateBody | undefined
  changes: FieldChanges
  firstSight: boolean
}

export type SyncPlan = ParkedPlan | CreatePlan | UserPlan

export const isParked = (plan: SyncPlan): plan is ParkedPlan => plan.kind === 'unresolved' || plan.kind === 'gone'

export interface PlanContext {
  provider: ProviderSource
  store: StateStore
  directory?: Directory | undefined
  options?: ResolveOptions
  roles?: RoleRules
}

const OFF: ResolveOptions = { matchByEmail: false, createUsers: false }

export async function planSync (ctx: PlanContext, key: string, userId: string): Promise<SyncPlan> {
  const { store } = ctx
  const { result, gone } = await ctx.provider.fetchDesired(userId)
  const record = await store.get(key)
  const notes = result.notes.map((n) => `${n.field}: ${n.reason}`)
  const firstSight = !gone && !record.seen
  if (gone && !record.seen) {
    // Never read from the provider, so its 404 says "no such id" (a typo in a link, another
    // org), not "deleted": deactivating whoever the link points at would hit the wrong person.
    // Parked as unresolved, so an operator sees it in /ops/unresolved.
    return { kind: 'unresolved', why: 'unknown-id', reason: 'the provider does not know this id and never returned it: nothing is deactivated; check the id or the link', notes }
  }
  if (gone && record.enerfloId === undefined && result.enerfloUserId === undefined) {
    return { kind: 'gone', reason: 'the provider no longer has this user and it was never linked to Enerflo: nothing to do', notes }
  }
  // A deleted user is never matched by email or created: only a linked Enerflo user is touched.
  const found = await resolveUser({ store, directory: ctx.directory, options: gone ? OFF : ctx.options ?? OFF }, key, result, record)
  if (found.kind === 'parked') return { kind: 'unresolved', why: found.why, reason: found.reason, notes, firstSight }
  if (found.kind === 'create') return { kind: 'create', reason: 'no Enerflo user has this email: one is created (CREATE_USERS)', notes, firstSight, desired: result.desired }

  const { enerfloId } = found
  const held = await ctx.directory?.get(enerfloId)
  const relinked = found.linkTo !== undefined && found.linkTo !== record.enerfloId
  const baseline = baselineOf(relinked ? undefined : record.applied, record.inDoubt, held)
  const desired = { ...result.desired }
  // A value the provider no longer has is not sent: Enerflo keeps its own, and the audit says so.
  if (!gone && !relinked) notes.push(...clearedNotes(record.applied, desired))
  if (ctx.roles !== undefined && desired.roles !== undefined) desired.roles = rolesToSend(desired.roles, held?.roles ?? baseline?.roles, ctx.roles)
  const diff = diffFields(desired, baseline)
  const changes: FieldChanges = {}
  for (const [field, to] of Object.entries(diff)) changes[field] = { from: baseline?.[field as keyof EnerfloUserFields], to }
  if (found.how === 'email' && relinked) notes.push('linked by email: the one Enerflo user with this email')
  const common = { notes, firstSight, enerfloId, how: found.how, linkTo: relinked ? found.linkTo : undefined, baseline, inDoubt: record.inDoubt, changes }
  const against = held !== undefined ? 'Enerflo\'s user list' : 'what was last applied'
  if (Object.keys(diff).length === 0) {
    return { kind: 'unchanged', reason: `Enerflo already holds what the provider says (as ${against} shows)`, body: undefined, ...common }
  }
  return {
    kind: 'send',
    reason: baseline === undefined ? 'first sync of this user: the whole desired state is sent' : `these fields differ from ${against}`,
    body: { id: enerfloId, ...diff },
    ...common
  }
}
