/**
 * The Okta adapter: an Okta user (as the Users API returns it now) and its groups → a PersonData
 * for the mapping core (core.ts), which decides the Enerflo state. Only what is Okta's own lives
 * here: profile attribute names, the status words, and where the mapping file points.
 */
import { mapDeletedPerson, mapPerson, type PersonData } from './core.js'
import type { Mapping } from './mapping-file.js'
import type { MappingResult, OktaGroup, OktaUser } from './types.js'

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

/** What an Okta user says about the person, in the core's terms. */
export function oktaPerson (user: OktaUser, groups: readonly OktaGroup[], mapping: Mapping): PersonData {
  const profile = user.profile
  const attribute = (name: string): { label: string, value: unknown } => ({ label: `profile.${name}`, value: profile[name] })
  // hasOwn: a status such as "constructor" must not find Object.prototype's members.
  const active = Object.hasOwn(OKTA_ACTIVE_STATUSES, user.status) ? OKTA_ACTIVE_STATUSES[user.status] : undefined
  const person: PersonData = {
    firstName: profile['firstName'],
    lastName: profile['lastName'],
    // login is often an address too, and the only one some orgs fill in.
    emails: [attribute('email'), attribute('login')],
    // mobilePhone first: it is what reps answer.
    phones: [attribute('mobilePhone'), attribute('primaryPhone')],
    // An unknown status could be a new way of being locked out: inactive is the safe guess.
    status: active === undefined
      ? { active: false, note: `unknown Okta status ${JSON.stringify(user.status)}; treated as inactive` }
      : { active },
    groupNames: groups.map((g) => g.profile.name)
  }
  const identity = mapping.identity.okta
  if (identity?.managerEmailAttribute !== undefined) person.manager = attribute(identity.managerEmailAttribute)
  if (identity?.enerfloUserIdAttribute !== undefined) person.enerfloUserId = attribute(identity.enerfloUserIdAttribute)
  return person
}

/** The desired Enerflo state for an Okta user; `null` means Okta no longer has the user. */
export function mapOktaUser (user: OktaUser | null, groups: OktaGroup[], mapping: Mapping): MappingResult {
  return user === null ? mapDeletedPerson('Okta') : mapPerson(oktaPerson(user, groups, mapping), mapping)
}
