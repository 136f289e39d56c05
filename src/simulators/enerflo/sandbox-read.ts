/**
 * The read side of the sandbox, shaped like what Enerflo's clients in the wild rely on
 * (FACTS.md §1): GET /api/v3/users pages rows under `results` with `totalPages`, shows active users
 * unless `status=inactive` (then only inactive ones), and spells roles as slugs, as an array for
 * odd ids and a comma-separated string for even ids, so a client must read both. Deleted users
 * are in no list and 404 by id. Pure functions over the user table; the server does the HTTP.
 */
import { nameToSlug, type RoleSlugTable } from '../../enerflo/roles.js'
import type { Outcome, SandboxUser } from './sandbox-types.js'

/** Enerflo's default page size is not documented; 20 is a guess small enough to show a client that forgot pageSize. */
export const DEFAULT_PAGE_SIZE = 20
/** 200 is the largest page size seen used; larger asks are cut to it, as paginators usually do. */
export const MAX_PAGE_SIZE = 200

/** A name the table has no slug for (a tenant's own role) gets the slug Enerflo's style suggests. */
function slugOf (name: string, table: RoleSlugTable): string {
  return nameToSlug(name, table) ?? name.toLowerCase().replace(/[^a-z0-9]+/g, '')
}

/** One user as GET shows it: slugs for roles, null for what Enerflo does not hold. */
export function userRow (u: SandboxUser, table: RoleSlugTable): Record<string, unknown> {
  const slugs = u.roles.map((r) => slugOf(r, table))
  return {
    id: u.id,
    first_name: u.first_name ?? null,
    last_name: u.last_name ?? null,
    email: u.email ?? null,
    phone: u.phone ?? null,
    active: u.active,
    status: u.active ? 'active' : 'inactive',
    roles: u.id % 2 === 0 ? slugs.join(',') : slugs,
    office_ids: [...u.office_ids],
    manager_email: u.manager_email ?? null,
    external_user_id: u.external_user_id ?? null
  }
}

function positiveInt (v: string | null, fallback: number): number | undefined {
  if (v === null || v === '') return fallback
  return /^\d+$/.test(v) && Number(v) >= 1 ? Number(v) : undefined
}

/** GET /api/v3/users?page&pageSize&status: one page, ids ascending. */
export function listUsers (users: Iterable<SandboxUser>, query: URLSearchParams, table: RoleSlugTable): Outcome {
  const page = positiveInt(query.get('page'), 1)
  const asked = positiveInt(query.get('pageSize'), DEFAULT_PAGE_SIZE)
  const status = query.get('status') ?? 'active'
  const errors: Record<string, string[]> = {}
  if (page === undefined) errors['page'] = ['The page must be an integer of at least 1.']
  if (asked === undefined) errors['pageSize'] = ['The page size must be an integer of at least 1.']
  if (status !== 'active' && status !== 'inactive') errors['status'] = ['The selected status is invalid (active or inactive).']
  if (page === undefined || asked === undefined || Object.keys(errors).length > 0) {
    return { status: 422, body: { success: false, message: Object.values(errors).flat()[0], errors } }
  }
  const pageSize = Math.min(asked, MAX_PAGE_SIZE)
  const wanted = status === 'active'
  const all = [...users].filter((u) => u.deleted !== true && u.active === wanted).sort((a, b) => a.id - b.id)
  const results = all.slice((page - 1) * pageSize, page * pageSize).map((u) => userRow(u, table))
  // At least one page, so a client that reads page 1 before looking at totalPages is never told 0.
  const totalPages = Math.max(1, Math.ceil(all.length / pageSize))
  return { status: 200, body: { success: true, page, pageSize, total: all.length, totalPages, results } }
}

/** GET /api/v3/users/{id}: the row under `data`, as the PUT's answer carries its user. */
export function getUser (users: ReadonlyMap<number, SandboxUser>, rawId: string, table: RoleSlugTable): Outcome {
  const u = /^\d+$/.test(rawId) ? users.get(Number(rawId)) : undefined
  if (u === undefined || u.deleted === true) return { status: 404, body: { success: false, message: `User ${rawId} not found.` } }
  return { status: 200, body: { success: true, data: userRow(u, table) } }
}
