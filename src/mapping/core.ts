/**
 * The one mapping algorithm: a person described in plain, source-neutral data → the Enerflo state
 * they should have. Each provider has a small adapter (okta.ts, graph.ts, SCIM later) that reads
 * its own shapes into a PersonData; the rules live here once, so a person looks the same in
 * Enerflo whichever provider they come from.
 */
import { mapGroups } from './groups.js'
import type { Mapping } from './mapping-file.js'
import { normalisePhone } from './phone.js'
import type { EnerfloUserFields, MappingNote, MappingResult } from './types.js'
import { emailValue, enerfloUserIdValue, textValue } from './values.js'

/** A raw provider value and the name notes use for it (never the value: it may be personal). */
export interface Labelled {
  label: string
  value: unknown
}

/** The manager's email as the provider holds it. */
export interface ManagerData extends Labelled {
  /**
   * The note when the value is missing or not an address, instead of `label: reason`. Set it when
   * the provider says a manager exists: then a missing address is worth telling an operator,
   * while an empty manager attribute on its own only means "no manager".
   */
  unusable?: string
}

/** What a provider says about one person, already out of its own shapes. */
export interface PersonData {
  firstName: unknown
  lastName: unknown
  /** Address candidates, best first; when none is usable only the first is noted. */
  emails: readonly Labelled[]
  /** Phone candidates, best first; every refused one is noted. */
  phones: readonly Labelled[]
  /** Absent when the provider has no manager (or the mapping names no attribute for it). */
  manager?: ManagerData
  /**
   * Enerflo `active` from the provider's own status words, which only the adapter knows; absent
   * `active` leaves Enerflo's value alone. `note` says why the adapter guessed or could not tell.
   */
  status: { active?: boolean, note?: string }
  groupNames: readonly string[]
  /** The identity attribute's value; absent when the mapping names no attribute for this source. */
  enerfloUserId?: Labelled
}

/**
 * A user the provider confirms it no longer has: deactivated and nothing else, because the
 * provider no longer says anything about the other fields.
 */
export function mapDeletedPerson (provider: string): MappingResult {
  return {
    desired: { active: false },
    notes: [{ field: 'active', reason: `the user no longer exists in ${provider}; deactivated` }]
  }
}

/** The desired Enerflo state for a person, with a note for every value that was not sent. */
export function mapPerson (person: PersonData, mapping: Mapping): MappingResult {
  // Keys are set in a fixed order so results from every source serialise alike.
  const desired: EnerfloUserFields = {}
  const notes: MappingNote[] = []

  const firstName = textValue(person.firstName)
  if (firstName !== undefined) desired.first_name = firstName
  const lastName = textValue(person.lastName)
  if (lastName !== undefined) desired.last_name = lastName

  mapEmail(person.emails, desired, notes)
  mapPhone(person.phones, desired, notes)
  if (person.manager !== undefined) mapManager(person.manager, desired, notes)

  if (person.status.active !== undefined) desired.active = person.status.active
  if (person.status.note !== undefined) notes.push({ field: 'active', reason: person.status.note })

  const mapped = mapGroups(person.groupNames, mapping)
  Object.assign(desired, mapped.fields)
  notes.push(...mapped.notes)

  const result: MappingResult = { desired, notes }
  if (person.enerfloUserId !== undefined) {
    const id = enerfloUserIdValue(person.enerfloUserId.value)
    if (id !== undefined && 'id' in id) result.enerfloUserId = id.id
    else if (id !== undefined) notes.push({ field: 'id', reason: `${person.enerfloUserId.label}: ${id.reason}` })
  }
  return result
}

/**
 * The first candidate that is an address. Only the first (the provider's own email field) is
 * noted: later ones are fallbacks such as a login, which is often not an address by design.
 */
function mapEmail (candidates: readonly Labelled[], desired: EnerfloUserFields, notes: MappingNote[]): void {
  for (const { value } of candidates) {
    const email = emailValue(value)
    if (email !== undefined && 'email' in email) {
      desired.email = email.email
      return
    }
  }
  const [first] = candidates
  const email = first === undefined ? undefined : emailValue(first.value)
  if (first !== undefined && email !== undefined && 'reason' in email) {
    notes.push({ field: 'email', reason: `${first.label}: ${email.reason}` })
  }
}

/** The first usable phone; refused ones are noted (without the number) so an admin can fix them. */
function mapPhone (candidates: readonly Labelled[], desired: EnerfloUserFields, notes: MappingNote[]): void {
  const refused: string[] = []
  for (const { label, value } of candidates) {
    const phone = normalisePhone(value)
    if (phone === undefined) continue
    if ('phone' in phone) {
      desired.phone = phone.phone
      break
    }
    refused.push(`${label}: ${phone.reason}`)
  }
  if (refused.length > 0) {
    const outcome = desired.phone === undefined ? 'phone left out' : 'used the next phone attribute'
    notes.push({ field: 'phone', reason: `${refused.join('; ')}; ${outcome}` })
  }
}

function mapManager (manager: ManagerData, desired: EnerfloUserFields, notes: MappingNote[]): void {
  const email = emailValue(manager.value)
  if (email !== undefined && 'email' in email) desired.manager_email = email.email
  else if (manager.unusable !== undefined) notes.push({ field: 'manager_email', reason: manager.unusable })
  else if (email !== undefined) notes.push({ field: 'manager_email', reason: `${manager.label}: ${email.reason}` })
}
