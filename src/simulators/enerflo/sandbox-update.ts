/**
 * The rules of Enerflo's "Update a User" (PUT /api/v3/users) as the sandbox enforces them: a pure
 * function over the user table, so the server module only does HTTP. Errors are shaped like the
 * Laravel validation answers Enerflo gives (422, a `message` and per-field `errors`), because the
 * client turns exactly those into operator messages.
 */
import { REGIONAL_MANAGER, copyUser, withAttribution, type Outcome, type SandboxUser } from './sandbox-types.js'
import { EMAIL, EMAIL_TAKEN, PHONE, PHONE_MESSAGE, emailTaken, invalid, liveUserWithEmail, roleRefusal, type RoleRules } from './sandbox-fields.js'

export interface UpdateContext extends RoleRules {
  users: Map<number, SandboxUser>
  offices: ReadonlySet<number> | undefined
}

export type UpdateOutcome = Outcome

/** Reads the body's id: the docs type it as a string, the service sends a number. */
export function bodyUserId (body: unknown): number | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined
  const id = (body as Record<string, unknown>).id
  if (typeof id === 'number' && Number.isInteger(id)) return id
  if (typeof id === 'string' && /^\d+$/.test(id)) return Number(id)
  return undefined
}

/** Validates `body` against the table and, when it passes, applies it. Absent fields stay. */
export function applyUpdate (ctx: UpdateContext, body: unknown): UpdateOutcome {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return invalid({ id: ['The id field is required.'] })
  }
  const b = body as Record<string, unknown>
  if (b.id === undefined || b.id === null) return invalid({ id: ['The id field is required.'] })
  const id = bodyUserId(b)
  if (id === undefined) return invalid({ id: ['The id must be an integer.'] })
  const current = ctx.users.get(id)
  if (current === undefined || current.deleted === true) {
    return { status: 404, body: { success: false, message: `User ${String(b.id)} not found.` } }
  }

  const errors: Record<string, string[]> = {}
  const fail = (field: string, msg: string): void => { (errors[field] ??= []).push(msg) }
  const next = copyUser(current)

  for (const field of ['first_name', 'last_name'] as const) {
    const v = b[field]
    if (v === undefined) continue
    if (typeof v !== 'string') fail(field, `The ${field} must be a string.`)
    else next[field] = v
  }
  if (b.active !== undefined) {
    if (typeof b.active !== 'boolean') fail('active', 'The active field must be true or false.')
    else next.active = b.active
  }
  if (b.email !== undefined) {
    const email = b.email
    if (typeof email !== 'string' || !EMAIL.test(email)) fail('email', 'The email must be a valid email address.')
    else if (emailTaken(ctx.users.values(), email, id)) fail('email', EMAIL_TAKEN)
    else next.email = email
  }
  if (b.phone !== undefined) {
    if (typeof b.phone !== 'string' || !PHONE.test(b.phone)) {
      fail('phone', PHONE_MESSAGE)
    } else next.phone = b.phone.replace(/\D/g, '')
  }
  if (b.manager_email !== undefined) {
    const m = b.manager_email
    if (typeof m !== 'string' || !liveUserWithEmail(ctx.users.values(), m)) {
      fail('manager_email', `The selected manager email ${String(m)} is invalid: no user has that email.`)
    } else next.manager_email = m
  }
  let sentRoles: string[] | undefined
  if (b.roles !== undefined) {
    const roles = b.roles
    if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')) {
      fail('roles', 'The roles must be an array of Role Names.')
    } else {
      sentRoles = [...new Set(roles as string[])]
      // Enerflo keeps Super Admin and Company Admin whatever a PUT sends.
      next.roles = [...sentRoles, ...current.roles.filter((r) => ctx.keptRoles.has(r) && !sentRoles?.includes(r))]
    }
  }
  if (b.office_ids !== undefined) {
    const ids = b.office_ids
    if (!Array.isArray(ids) || ids.some((o) => !Number.isInteger(o))) {
      fail('office_ids', 'The office_ids must be an array of integers.')
    } else {
      for (const o of ids as number[]) {
        if (ctx.offices !== undefined && !ctx.offices.has(o)) fail('office_ids', `The selected office id ${o} is invalid.`)
      }
      next.office_ids = [...ids as number[]]
    }
  }
  if (Object.keys(errors).length > 0) return invalid(errors)
  // Validation passed; looking the names up comes after, with its own 400 (FACTS.md §1).
  const refused = sentRoles === undefined ? undefined : roleRefusal(ctx, sentRoles)
  if (refused !== undefined) return refused

  // Enerflo refuses to drop a role that still owns surveys or appointments; it stays refused
  // until someone reassigns them. Counted per role: leads attributed as Setter do not keep Sales Rep.
  const attributed = withAttribution(current).attributed ?? {}
  for (const role of current.roles) {
    const a = attributed[role]
    if (a !== undefined && a.surveys + a.appointments > 0 && !next.roles.includes(role)) {
      fail('roles', `The ${role} role cannot be removed: the user has ${a.surveys} surveys and ${a.appointments} appointments attributed. Reassign them first.`)
    }
  }
  if (Object.keys(errors).length > 0) return invalid(errors)

  // Documented: extra office ids belong only to the Regional Manager role; otherwise ignored.
  if (!next.roles.includes(REGIONAL_MANAGER)) next.office_ids = next.office_ids.slice(0, 1)

  ctx.users.set(next.id, next)
  return { status: 200, body: { success: true, data: publicUser(next) } }
}

/** The user as the API shows it: without the sandbox-only attribution counts. */
export function publicUser (u: SandboxUser): Record<string, unknown> {
  const { surveys: _s, appointments: _a, attributed: _t, deleted: _d, ...rest } = u
  return { ...rest, roles: [...u.roles], office_ids: [...u.office_ids] }
}
