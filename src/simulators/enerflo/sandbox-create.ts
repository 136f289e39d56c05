/**
 * Enerflo's "Add a User" (POST /api/v1/users; v1, unlike the v3 update) as the sandbox enforces
 * it: `email`, `roles` (Role Names), `notify_email` and `allow_optimus` required; an email held by
 * any user, a deleted one included, is "already been taken"; `manager_email` only for a Sales Rep.
 * Enerflo does not document the answer's body, so the sandbox chooses one: 201 with
 * `{ success: true, data: <the new user as GET shows it> }`; a client should read `data.id` and
 * accept any 2xx.
 */
import { EMAIL, EMAIL_TAKEN, PHONE, PHONE_MESSAGE, emailTaken, invalid, liveUserWithEmail, roleRefusal } from './sandbox-fields.js'
import { userRow } from './sandbox-read.js'
import type { RoleSlugTable } from '../../enerflo/roles.js'
import type { UpdateContext } from './sandbox-update.js'
import type { Outcome, SandboxUser } from './sandbox-types.js'

/** The one role `manager_email` may come with, per the Add a User docs. */
const MANAGED_ROLE = 'Sales Rep'

function text (b: Record<string, unknown>, field: string, fail: (f: string, m: string) => void): string | undefined {
  const v = b[field]
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string') return v
  fail(field, `The ${field} must be a string.`)
  return undefined
}

/** Validates `body` and, when it passes, adds the user with the next free id. */
export function applyCreate (ctx: UpdateContext, body: unknown, table: RoleSlugTable): Outcome {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return invalid({ email: ['The email field is required.'] })
  const b = body as Record<string, unknown>
  const errors: Record<string, string[]> = {}
  const fail = (field: string, msg: string): void => { (errors[field] ??= []).push(msg) }

  const email = b.email
  if (email === undefined || email === null || email === '') fail('email', 'The email field is required.')
  else if (typeof email !== 'string' || !EMAIL.test(email)) fail('email', 'The email must be a valid email address.')
  else if (emailTaken(ctx.users.values(), email)) fail('email', EMAIL_TAKEN)

  const roles = b.roles
  const roleList = Array.isArray(roles) && roles.length > 0 && roles.every((r) => typeof r === 'string') ? [...new Set(roles as string[])] : undefined
  if (roles === undefined) fail('roles', 'The roles field is required.')
  else if (roleList === undefined) fail('roles', 'The roles must be a non-empty array of Role Names.')

  for (const flag of ['notify_email', 'allow_optimus'] as const) {
    if (b[flag] === undefined) fail(flag, `The ${flag} field is required.`)
    else if (typeof b[flag] !== 'boolean') fail(flag, `The ${flag} field must be true or false.`)
  }
  if (b.can_reassign_leads !== undefined && typeof b.can_reassign_leads !== 'boolean') {
    fail('can_reassign_leads', 'The can_reassign_leads field must be true or false.')
  }

  const firstName = text(b, 'first_name', fail)
  const lastName = text(b, 'last_name', fail)
  const external = text(b, 'external_user_id', fail)
  const phone = text(b, 'phone', fail)
  if (phone !== undefined && !PHONE.test(phone)) fail('phone', PHONE_MESSAGE)
  const manager = text(b, 'manager_email', fail)
  if (manager !== undefined) {
    if (!liveUserWithEmail(ctx.users.values(), manager)) fail('manager_email', `The selected manager email ${manager} is invalid: no user has that email.`)
    else if (roleList !== undefined && !roleList.includes(MANAGED_ROLE)) fail('manager_email', 'The manager email field is only allowed for a Sales Rep.')
  }
  const office = b.office_id
  if (office !== undefined && office !== null) {
    if (!Number.isInteger(office)) fail('office_id', 'The office_id must be an integer.')
    else if (ctx.offices !== undefined && !ctx.offices.has(office as number)) fail('office_id', `The selected office id ${String(office)} is invalid.`)
  }
  if (Object.keys(errors).length > 0) return invalid(errors)
  const refused = roleRefusal(ctx, roleList ?? [])
  if (refused !== undefined) return refused

  // Ids are never reused: a deleted user keeps its id as it keeps its email.
  const id = Math.max(0, ...ctx.users.keys()) + 1
  const user: SandboxUser = {
    id,
    email: email as string,
    active: true,
    roles: roleList ?? [],
    office_ids: typeof office === 'number' ? [office] : [],
    surveys: 0,
    appointments: 0,
    ...firstName === undefined ? {} : { first_name: firstName },
    ...lastName === undefined ? {} : { last_name: lastName },
    ...phone === undefined ? {} : { phone: phone.replace(/\D/g, '') },
    ...manager === undefined ? {} : { manager_email: manager },
    ...external === undefined ? {} : { external_user_id: external }
  }
  ctx.users.set(id, user)
  return { status: 201, body: { success: true, data: userRow(user, table) } }
}
