/**
 * An Okta user (as the Users API returns it now) → the Enerflo state it should have. Pure: the
 * worker fetches the user and its groups, this decides, the diff decides what to send.
 */
import { mapGroups } from './groups.js'
import type { Mapping } from './mapping-file.js'
import { normalisePhone } from './phone.js'
import type { EnerfloUserFields, MappingNote, MappingResult, OktaGroup, OktaUser } from './types.js'
import { emailValue, enerfloUserIdValue, textValue } from './values.js'

/**
 * Okta user status → Enerflo `active`. A user who can still sign in (or is about to: PROVISIONED,
 * RECOVERY, PASSWORD_EXPIRED, LOCKED_OUT) stays active; STAGED has never been activated.
 */
export const OKTA_ACTIVE_STATUSES: Readonly<Record<string, boolean>> = Object.freeze({
  ACTIVE: true,
  PROVISIONED: true,
  RECOVERY: true,
  PASSWORD_EXPIRED: true,
  LOCKED_OUT: true,
  STAGED: false,
  SUSPENDED: false,
  DEPROVISIONED: false
})

/** The desired Enerflo state for an Okta user; `null` means Okta no longer has the user. */
export function mapOktaUser (user: OktaUser | null, groups: OktaGroup[], mapping: Mapping): MappingResult {
  if (user === null) {
    return {
      desired: { active: false },
      notes: [{ field: 'active', reason: 'the user no longer exists in Okta; deactivated' }]
    }
  }
  const profile = user.profile
  const desired: EnerfloUserFields = {}
  const notes: MappingNote[] = []

  const firstName = textValue(profile['firstName'])
  if (firstName !== undefined) desired.first_name = firstName
  const lastName = textValue(profile['lastName'])
  if (lastName !== undefined) desired.last_name = lastName

  const email = emailValue(profile['email'])
  const login = emailValue(profile['login'])
  if (email !== undefined && 'email' in email) desired.email = email.email
  else if (login !== undefined && 'email' in login) desired.email = login.email
  else if (email !== undefined) notes.push({ field: 'email', reason: `profile.email: ${email.reason}` })

  mapPhone(profile, desired, notes)

  const managerAttribute = mapping.identity.okta?.managerEmailAttribute
  if (managerAttribute !== undefined) {
    const manager = emailValue(profile[managerAttribute])
    if (manager !== undefined && 'email' in manager) desired.manager_email = manager.email
    else if (manager !== undefined) notes.push({ field: 'manager_email', reason: `profile.${managerAttribute}: ${manager.reason}` })
  }

  const active = Object.hasOwn(OKTA_ACTIVE_STATUSES, user.status) ? OKTA_ACTIVE_STATUSES[user.status] : undefined
  desired.active = active ?? false
  if (active === undefined) {
    notes.push({ field: 'active', reason: `unknown Okta status ${JSON.stringify(user.status)}; treated as inactive` })
  }

  const mapped = mapGroups(groups.map((g) => g.profile.name), mapping)
  Object.assign(desired, mapped.fields)
  notes.push(...mapped.notes)

  const result: MappingResult = { desired, notes }
  const idAttribute = mapping.identity.okta?.enerfloUserIdAttribute
  if (idAttribute !== undefined) {
    const id = enerfloUserIdValue(profile[idAttribute])
    if (id !== undefined && 'id' in id) result.enerfloUserId = id.id
    else if (id !== undefined) notes.push({ field: 'id', reason: `profile.${idAttribute}: ${id.reason}` })
  }
  return result
}

/** mobilePhone first (what reps answer), primaryPhone when mobile is missing or unusable. */
function mapPhone (profile: Record<string, unknown>, desired: EnerfloUserFields, notes: MappingNote[]): void {
  const refused: string[] = []
  for (const attribute of ['mobilePhone', 'primaryPhone']) {
    const phone = normalisePhone(profile[attribute])
    if (phone === undefined) continue
    if ('phone' in phone) {
      desired.phone = phone.phone
      break
    }
    refused.push(`profile.${attribute}: ${phone.reason}`)
  }
  if (refused.length > 0) {
    const outcome = desired.phone === undefined ? 'phone left out' : 'used the next phone attribute'
    notes.push({ field: 'phone', reason: `${refused.join('; ')}; ${outcome}` })
  }
}
