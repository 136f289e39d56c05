/**
 * Enerflo's user rows (GET /api/v3/users, GET /api/v3/users/{id}) read defensively into the
 * directory's shape: roles come as slugs (an array or a comma-separated string) and become Role
 * Names; emails are compared lower-cased; `active` may be a boolean or only a `status` word. A
 * row that is not a user (no integer id) is skipped and counted, never a reason to stop.
 */
import type { DirectoryPage, DirectoryUser } from './directory.js'
import { rolesFromEnerflo, type RoleSlugTable } from './roles.js'

const text = (v: unknown): string | undefined => typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined

export function userFromRow (row: unknown, table?: RoleSlugTable): DirectoryUser | undefined {
  if (row === null || typeof row !== 'object') return undefined
  const r = row as Record<string, unknown>
  const id = typeof r['id'] === 'number' ? r['id'] : typeof r['id'] === 'string' && /^\d{1,10}$/.test(r['id']) ? Number(r['id']) : NaN
  if (!Number.isSafeInteger(id) || id < 1) return undefined
  const status = text(r['status'])?.toLowerCase()
  const active = typeof r['active'] === 'boolean' ? r['active'] : typeof r['active'] === 'number' ? r['active'] === 1 : status !== 'inactive'
  const rawRoles = Array.isArray(r['roles']) ? r['roles'].filter((x): x is string => typeof x === 'string') : typeof r['roles'] === 'string' ? r['roles'] : []
  const { roles, unknown } = rolesFromEnerflo(rawRoles, table)
  const offices = Array.isArray(r['office_ids']) ? r['office_ids'].filter((x): x is number => Number.isSafeInteger(x)) : undefined
  const user: DirectoryUser = { id, active, roles: [...roles].sort() }
  const email = text(r['email'])?.toLowerCase()
  if (email !== undefined) user.email = email
  for (const f of ['first_name', 'last_name', 'phone', 'manager_email', 'external_user_id'] as const) {
    const v = text(r[f])
    if (v !== undefined) user[f] = f === 'manager_email' ? v.toLowerCase() : v
  }
  if (offices !== undefined) user.office_ids = offices
  if (unknown.length > 0) user.unknownSlugs = unknown
  return user
}

/** One list page: rows under `results`, the page count under `totalPages` (a short page ends it). */
export function pageFromBody (body: unknown, pageSize: number, table?: RoleSlugTable): DirectoryPage & { skipped: number } {
  const b = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>
  const rows = Array.isArray(b['results']) ? b['results'] : Array.isArray(b['data']) ? b['data'] : []
  const users: DirectoryUser[] = []
  for (const row of rows) {
    const u = userFromRow(row, table)
    if (u !== undefined) users.push(u)
  }
  const pages = Number(b['totalPages'] ?? b['total_pages'])
  // Without a page count, a full page means "maybe more": read on until a short one.
  const totalPages = Number.isSafeInteger(pages) && pages >= 0 ? pages : rows.length >= pageSize ? Number.MAX_SAFE_INTEGER : 0
  return { users, totalPages, skipped: rows.length - users.length }
}
