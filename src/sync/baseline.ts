/**
 * What Enerflo holds, as far as the service knows, for the diff: the directory's copy (read from
 * Enerflo, and patched after each accepted write) where it has the field, else what was last
 * applied. A field edited by hand in Enerflo therefore differs from the provider and is put back.
 * Fields of a write whose outcome is unknown stay out of it, so they are sent again.
 *
 * Roles: the service manages only the roles the mapping names. A role Enerflo holds that no
 * mapping names (granted by hand) is kept; a managed one the user no longer earns is removed;
 * roles Enerflo keeps itself (Company Admin, Super Admin) are never sent.
 */
import type { EnerfloUserFields } from '../mapping/types.js'
import type { DirectoryUser } from '../enerflo/directory.js'

const FIELDS: ReadonlyArray<keyof EnerfloUserFields> = ['first_name', 'last_name', 'email', 'phone', 'active', 'manager_email', 'roles', 'office_ids']

export function baselineOf (applied: EnerfloUserFields | undefined, inDoubt: EnerfloUserFields | undefined, held: DirectoryUser | undefined): EnerfloUserFields | undefined {
  if (applied === undefined && held === undefined) return undefined
  const out: Record<string, unknown> = { ...applied }
  if (held !== undefined) for (const f of FIELDS) if (held[f] !== undefined) out[f] = held[f]
  for (const f of Object.keys(inDoubt ?? {})) delete out[f]
  return out as EnerfloUserFields
}

export interface RoleRules {
  /** Every Role Name some mapping entry grants. */
  managed: ReadonlySet<string>
  /** Role Names Enerflo keeps whatever PUT sends, and refuses to be sent. */
  kept: ReadonlySet<string>
}

/** The full role list to send: hand-granted roles kept, managed ones as earned, kept ones never. */
export function rolesToSend (earned: readonly string[], held: readonly string[] | undefined, rules: RoleRules): string[] {
  const keepByHand = (held ?? []).filter((r) => !rules.managed.has(r) && !rules.kept.has(r))
  return [...new Set([...keepByHand, ...earned.filter((r) => !rules.kept.has(r))])].sort()
}
