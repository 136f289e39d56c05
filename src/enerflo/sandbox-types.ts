/**
 * The data shapes of the local Enerflo sandbox, kept apart so the validation, rate-limit and
 * server modules can share them without importing each other.
 */

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
}

export interface SandboxOptions {
  apiKey: string
  users: SandboxUser[]
  /** Known office ids; when absent any office id is accepted. */
  offices?: number[]
  /** Role Names the sandbox accepts; defaults to DEFAULT_ROLE_NAMES. */
  knownRoles?: string[]
  /** Per API key; defaults to Enerflo's documented 300 requests per 60 s. */
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

export type SandboxFault =
  | { kind: 'status', status: number, count: number, body?: string }
  | { kind: 'latency', ms: number, count: number }
  /** Destroy the socket without answering. */
  | { kind: 'drop', count: number }
  | { kind: 'rate-limit', count: number, retryAfterSec: number }

/** Roles Enerflo will not remove while surveys or appointments are attributed to the user. */
export const ATTRIBUTED_ROLES: readonly string[] = Object.freeze(['Sales Rep', 'Setter'])

export { DEFAULT_ROLE_NAMES, MULTI_OFFICE_ROLE as REGIONAL_MANAGER } from '../mapping/roles.js'

export function copyUser (u: SandboxUser): SandboxUser {
  return { ...u, roles: [...u.roles], office_ids: [...u.office_ids] }
}
