/**
 * After Enerflo accepted a write: when it removed the Project Manager role (held before, as the
 * plan's roles diff says, and not in the roles sent), Enerflo's "Update a User" asks that the user
 * also be removed as a project contact on their installs. The service records a follow-up for an
 * operator naming the user and Enerflo's recipe (src/sync/follow-ups.ts); one per user while open.
 */
import { maskEmail } from '../src/mask.js'
import type { EnerfloUpdateBody } from '../src/mapping/types.js'
import type { UserPlan } from '../src/sync/plan.js'
import type { FollowUp, FollowUps, NewFollowUp } from '../src/sync/follow-ups.js'
import { removedRoles } from './sync-blocked.js'

export interface FollowUpWaits {
  store: FollowUps
  /** The Role Name of slug projectmanager under the mapping's role table ("Project Manager"). */
  projectManager: string
}

export const UPDATE_A_USER = 'https://docs.enerflo.io/reference/update-a-user'
export const DELETE_INSTALL_CONTACT = 'https://docs.enerflo.io/reference/delete-a-contact-from-an-install'
export const PROJECT_CONTACTS_RECIPE = 'https://docs.enerflo.io/recipes/delete-project-contacts-using-customer-id'
export const RECIPE = 'Delete project contacts using customer id'

/** Why the service leaves it to a person: what Enerflo's documentation gives, and what it does not. */
export const NOT_AUTOMATIC = 'Enerflo\'s "Update a User" names these pages but the service has no exact request from them ' +
  '(method, path, nor how to list the installs a user is a project contact on), so it does not delete contacts itself'

/** How the follow-up names the user: the name Enerflo holds, else the masked email, else the id. */
export function displayName (fields: { first_name?: string | undefined, last_name?: string | undefined, email?: string | undefined }, enerfloId: number): string {
  const name = [fields.first_name, fields.last_name].filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim()).join(' ')
  if (name !== '') return name
  return typeof fields.email === 'string' && fields.email !== '' ? maskEmail(fields.email) : `Enerflo user ${enerfloId}`
}

export function projectManagerFollowUp (key: string, enerfloId: number, who: string, role: string): NewFollowUp {
  return {
    reason: 'project-manager-removed',
    userKey: key,
    enerfloId,
    who,
    role,
    todo: `remove Enerflo user ${enerfloId} (${who}) as a project contact on each install they are one on: ` +
      `Enerflo's "Delete a contact from an install" (${DELETE_INSTALL_CONTACT}), or its recipe "${RECIPE}" (${PROJECT_CONTACTS_RECIPE}); then mark this done`,
    recipe: RECIPE,
    links: [DELETE_INSTALL_CONTACT, PROJECT_CONTACTS_RECIPE, UPDATE_A_USER],
    notAutomatic: NOT_AUTOMATIC
  }
}

/**
 * Records the follow-up when this accepted write removed the Project Manager role; undefined when
 * it did not. `sent` is the body Enerflo accepted, less its id.
 */
export async function followUpAfterApplied (waits: FollowUpWaits, key: string, plan: UserPlan, sent: Omit<EnerfloUpdateBody, 'id'>): Promise<FollowUp | undefined> {
  const role = waits.projectManager
  if (!Array.isArray(sent.roles) || sent.roles.includes(role) || !removedRoles(plan).includes(role)) return undefined
  const who = displayName({ ...plan.baseline, ...sent }, plan.enerfloId)
  return (await waits.store.record(projectManagerFollowUp(key, plan.enerfloId, who, role))).followUp
}

/** The audit's note for it. */
export const followUpNote = (f: FollowUp): string =>
  `roles: ${f.role} removed: follow-up ${f.id} for an operator, remove the user as a project contact on their installs (GET /ops/follow-ups)`
