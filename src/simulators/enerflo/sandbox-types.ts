/**
 * The data shapes of the local Enerflo sandbox, kept apart so the validation, rate-limit and
 * server modules can share them without importing each other.
 */
import { DEFAULT_ROLE_NAMES } from '../../mapping/roles.js'
import type { RoleSlugTable } from '../../enerflo/roles.js'

/** An Enerflo user as the sandbox stores it; `surveys`/`appointments` exist only here. */
export interface SandboxUser {
  id: number
  first_name?: string
  last_name?: string
  email?: string
  phone?: string
  active: boolean
  manager_email?: string
  roles: string[]
  office_ids: number[]
  /** Attributed surveys: while > 0, Enerflo refuses to remove Sales Rep or Setter. */
  surveys: number
  /** Attributed appointments: same rule as surveys. */
  appointments: number
  /**
   * Surveys and appointments attributed to the user per Role Name: while a role's count is above
   * 0, Enerflo refuses to remove that role. Without it, `surveys` and `appointments` count for
   * Sales Rep and Setter alike.
   */
  attributed?: Record<string, Attribution>
  /** The provider's id, as POST /api/v1/users takes it. */
  external_user_id?: string
  /** Deleted in Enerflo: hidden from every read, 404 by id, yet its email stays taken. */
  deleted?: boolean
}

export interface Attribution { surveys: number, appointments: number }

export interface SandboxOptions {
  apiKey: string
  users: SandboxUser[]
  /** Known office ids; when absent any office id is accepted. */
  offices?: number[]
  /** Role Names the sandbox's writes accept; defaults to sandboxRoleNames(the slug table). */
  knownRoles?: string[]
  /** Slug → Role Name over src/enerflo/roles.ts's defaults: how reads spell the stored names. */
  roleSlugs?: Readonly<Record<string, string>>
  /** Per API key, reads and writes alike; defaults to Enerflo's documented 300 requests per 60 s. */
  rateLimit?: { max: number, windowMs: number }
}

/** One PUT /api/v3/users the sandbox received, whatever it answered. */
export interface SandboxRequest {
  /** Epoch ms when the request arrived. */
  at: number
  /** The body's id when it had a usable one. */
  userId: number | undefined
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown
  /** 0 when the socket was dropped without an answer. */
  status: number
  durationMs: number
}

/** One GET the sandbox received (list or by id), whatever it answered. */
export interface SandboxRead {
  at: number
  method: 'GET'
  /** Path and query as sent, e.g. /api/v3/users?page=2&pageSize=100. */
  path: string
  /** 0 when the socket was dropped without an answer. */
  status: number
}

/**
 * Which calls a fault hits: PUT updates (the default, as before reads and creates existed),
 * POST creates, GET reads, or the next call of any kind.
 */
export type FaultTarget = 'put' | 'post' | 'get' | 'any'

type FaultKind =
  | { kind: 'status', status: number, count: number, body?: string }
  | { kind: 'latency', ms: number, count: number }
  /** Destroy the socket without answering. */
  | { kind: 'drop', count: number }
  | { kind: 'rate-limit', count: number, retryAfterSec: number }

export type SandboxFault = FaultKind & { on?: FaultTarget }

/** Roles Enerflo will not remove while surveys or appointments are attributed to the user. */
export const ATTRIBUTED_ROLES: readonly string[] = Object.freeze(['Sales Rep', 'Setter'])

export { MULTI_OFFICE_ROLE as REGIONAL_MANAGER } from '../../mapping/roles.js'

/**
 * Role Names the sandbox's writes accept by default: the mapping defaults plus every name of the
 * slug table, so a role granted by hand (say "Scheduler") can be sent back unchanged.
 */
export function sandboxRoleNames (table: RoleSlugTable): string[] {
  return [...new Set([...DEFAULT_ROLE_NAMES, ...Object.values(table)])]
}

export function copyUser (u: SandboxUser): SandboxUser {
  const copy: SandboxUser = { ...u, roles: [...u.roles], office_ids: [...u.office_ids] }
  if (u.attributed !== undefined) copy.attributed = Object.fromEntries(Object.entries(u.attributed).map(([r, a]) => [r, { ...a }]))
  return copy
}

/** The user with `attributed` filled in from the plain counts, for Sales Rep and Setter. */
export function withAttribution (u: SandboxUser): SandboxUser {
  if (u.attributed !== undefined) return u
  const attributed: Record<string, Attribution> = {}
  for (const role of ATTRIBUTED_ROLES) attributed[role] = { surveys: u.surveys, appointments: u.appointments }
  return { ...u, attributed }
}

/**
 * Someone reassigned the user's leads in Enerflo (say with "Update the details of a customer"):
 * nothing is attributed to the user in `role` any more, or in any role when none is named.
 */
export function reassignLeads (u: SandboxUser, role?: string): SandboxUser {
  const next = withAttribution(copyUser(u))
  const attributed = next.attributed ?? {}
  for (const r of role === undefined ? Object.keys(attributed) : [role]) attributed[r] = { surveys: 0, appointments: 0 }
  const all = Object.values(attributed)
  return { ...next, attributed, surveys: all.reduce((n, a) => n + a.surveys, 0), appointments: all.reduce((n, a) => n + a.appointments, 0) }
}

/** What a route handler decides: the status and JSON body the gate then sends. */
export interface Outcome {
  status: number
  body: Record<string, unknown>
}
