/**
 * A field cleared at the provider (issue 14 item 6): the provider gave a value before (the service
 * sent it to Enerflo) and gives none now — a phone removed in Okta, a manager removed in Entra.
 * Decided per field (README "What Enerflo refuses, and what the service does then"): Enerflo keeps
 * what it holds, and the user's audit says so, because Enerflo's "Update a User" documents no way to
 * clear any of these fields (a phone must be 10 digits, an email is required and unique, a manager is
 * an Enerflo user's email) and an empty value would be refused or, worse, taken. Roles and offices
 * are decided by the mapping (groups.ts: in no mapped group, left as they are); `active` always has
 * a value. Notes name the field only, never the value.
 */
import type { EnerfloUserFields } from '../mapping/types.js'

type Cleared = 'first_name' | 'last_name' | 'email' | 'phone' | 'manager_email'

/** Why Enerflo keeps its value, per field. */
export const KEPT_WHEN_CLEARED: Readonly<Record<Cleared, string>> = Object.freeze({
  first_name: 'a name is required in Enerflo; an empty one at the provider is usually a profile being edited',
  last_name: 'a name is required in Enerflo; an empty one at the provider is usually a profile being edited',
  email: 'Enerflo requires an email and it is how the user signs in; change it at the provider rather than remove it',
  phone: 'Enerflo takes a 10-digit phone and documents no way to remove one; clear it in Enerflo by hand if it must go',
  manager_email: 'Enerflo documents no way to unset a manager; set the new manager at the provider, or change it in Enerflo by hand'
})

/** One note per field the service sent before and the provider no longer has. */
export function clearedNotes (applied: EnerfloUserFields | undefined, desired: EnerfloUserFields): string[] {
  if (applied === undefined) return []
  const notes: string[] = []
  for (const [field, why] of Object.entries(KEPT_WHEN_CLEARED) as Array<[Cleared, string]>) {
    if (applied[field] !== undefined && desired[field] === undefined) {
      notes.push(`${field}: the provider no longer has one; Enerflo keeps the one sent before (${why})`)
    }
  }
  return notes
}
