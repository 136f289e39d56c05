/**
 * What one sync of one user would do, decided from the provider's current state and what was
 * last applied — without doing it. The worker carries a plan out; the operator's preview shows it.
 */
import { diffFields } from '../mapping/diff.js'
import type { EnerfloUpdateBody, EnerfloUserFields } from '../mapping/types.js'
import type { ProviderSource } from './provider.js'
import type { StateStore } from './state-store.js'

export type FieldChanges = Record<string, { from: unknown, to: unknown }>

export interface ParkedPlan {
  kind: 'unresolved' | 'gone'
  reason: string
  notes: string[]
  /** The provider returned the user now and had not before: the worker records it as seen. */
  firstSight?: boolean
}

export interface UserPlan {
  kind: 'unchanged' | 'send'
  reason: string
  notes: string[]
  enerfloId: number
  /** Set when the provider names an Enerflo id the stored link does not have yet. */
  linkTo: number | undefined
  /** What Enerflo holds as far as we know (undefined: never applied, or linked anew). */
  baseline: EnerfloUserFields | undefined
  /** Fields still in doubt from an earlier PUT (kept in doubt until a 2xx). */
  inDoubt: EnerfloUserFields | undefined
  body: EnerfloUpdateBody | undefined
  changes: FieldChanges
  firstSight: boolean
}

export type SyncPlan = ParkedPlan | UserPlan

export const isParked = (plan: SyncPlan): plan is ParkedPlan => plan.kind === 'unresolved' || plan.kind === 'gone'

/** The baseline without the fields a PUT of unknown outcome carried: those are sent again. */
function withoutDoubt (applied: EnerfloUserFields | undefined, inDoubt: EnerfloUserFields | undefined): EnerfloUserFields | undefined {
  if (applied === undefined || inDoubt === undefined) return applied
  const out: Record<string, unknown> = { ...applied }
  for (const field of Object.keys(inDoubt)) delete out[field]
  return out as EnerfloUserFields
}

export async function planSync (provider: ProviderSource, store: StateStore, key: string, userId: string): Promise<SyncPlan> {
  const { result, gone } = await provider.fetchDesired(userId)
  const record = await store.get(key)
  const notes = result.notes.map((n) => `${n.field}: ${n.reason}`)
  const firstSight = !gone && !record.seen
  if (gone && !record.seen) {
    // Never read from the provider, so its 404 says "no such id" (a typo in a link, another
    // org), not "deleted": deactivating whoever the link points at would hit the wrong person.
    // Parked as unresolved, so an operator sees it in /ops/unresolved.
    return { kind: 'unresolved', reason: 'the provider does not know this id and never returned it: nothing is deactivated; check the id or the link', notes }
  }
  const enerfloId = result.enerfloUserId ?? record.enerfloId
  if (enerfloId === undefined) {
    return gone
      ? { kind: 'gone', reason: 'the provider no longer has this user and it was never linked to Enerflo: nothing to do', notes }
      : { kind: 'unresolved', reason: 'no Enerflo user id: set the identity attribute at the provider or store a link', notes, firstSight }
  }
  const relinked = result.enerfloUserId !== undefined && result.enerfloUserId !== record.enerfloId
  if (relinked) {
    const holder = await store.linkHolder(key.slice(0, key.indexOf(':')), enerfloId)
    if (holder !== undefined && holder !== key) {
      return { kind: 'unresolved', reason: `conflict: Enerflo user ${enerfloId} is already linked to ${holder}; one Enerflo user has one identity per source`, notes, firstSight }
    }
  }
  const baseline = relinked ? undefined : withoutDoubt(record.applied, record.inDoubt)
  const diff = diffFields(result.desired, baseline)
  const changes: FieldChanges = {}
  for (const [field, to] of Object.entries(diff)) changes[field] = { from: baseline?.[field as keyof EnerfloUserFields], to }
  const common = { notes, firstSight, enerfloId, linkTo: relinked ? result.enerfloUserId : undefined, baseline, inDoubt: record.inDoubt, changes }
  if (Object.keys(diff).length === 0) {
    return { kind: 'unchanged', reason: 'Enerflo already holds what the provider says (as last applied)', body: undefined, ...common }
  }
  return {
    kind: 'send',
    reason: baseline === undefined ? 'first sync of this user: the whole desired state is sent' : 'these fields differ from what was last applied',
    body: { id: enerfloId, ...diff },
    ...common
  }
}
