/**
 * The field rules that Enerflo's "Update a User" and "Add a User" share, as the sandbox enforces
 * them: the documented phone formats, unique emails (deleted users included), Laravel-shaped 422
 * answers, and the role check that answers 400 "Invalid role name" as Enerflo does for a slug.
 */
import type { Outcome, SandboxUser } from './sandbox-types.js'

/** The three formats Enerflo documents; each must hold exactly ten digits. */
export const PHONE = /^(?:\d{10}|\d{3}-\d{3}-\d{4}|\(\d{3}\) \d{3}-\d{4})$/
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
export const PHONE_MESSAGE = 'The phone must be a 10-digit number like 555-555-5555, 5555555555 or (555) 555-5555.'
export const EMAIL_TAKEN = 'The email has already been taken.'

export function sameEmail (a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase()
}

/** Whether any user but `self` holds the email; a deleted user still does (FACTS.md §1). */
export function emailTaken (users: Iterable<SandboxUser>, email: string, self?: number): boolean {
  for (const u of users) if (u.id !== self && sameEmail(u.email, email)) return true
  return false
}

/** A live user with the email: deleted users cannot be anyone's manager. */
export function liveUserWithEmail (users: Iterable<SandboxUser>, email: string): boolean {
  for (const u of users) if (u.deleted !== true && sameEmail(u.email, email)) return true
  return false
}

/** A Laravel validation answer: 422, the first message (and how many more), errors per field. */
export function invalid (errors: Record<string, string[]>): Outcome {
  const all = Object.values(errors).flat()
  const more = all.length > 1 ? ` (and ${all.length - 1} more error${all.length > 2 ? 's' : ''})` : ''
  return { status: 422, body: { success: false, message: `${all[0] ?? 'The given data was invalid.'}${more}`, errors } }
}

export interface RoleRules {
  knownRoles: ReadonlySet<string>
  /** Names Enerflo keeps by itself and refuses to be sent (Super Admin, Company Admin). */
  keptRoles: ReadonlySet<string>
}

/**
 * The 400 Enerflo gives for a role it does not take: a slug, a misspelt name, or a role it only
 * keeps by itself. `errors.roles` names each one, so the client can say which to fix.
 */
export function roleRefusal (rules: RoleRules, roles: readonly string[]): Outcome | undefined {
  const reasons: string[] = []
  for (const r of roles) {
    if (rules.keptRoles.has(r)) reasons.push(`Invalid role name: ${r} is kept by Enerflo and cannot be assigned through the API.`)
    else if (!rules.knownRoles.has(r)) reasons.push(`Invalid role name: ${r} (use the Role Name, not the Role Slug).`)
  }
  if (reasons.length === 0) return undefined
  return { status: 400, body: { success: false, message: 'Invalid role name', errors: { roles: reasons } } }
}
