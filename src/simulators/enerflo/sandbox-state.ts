/**
 * The sandbox's mutable state: its users, the records of what it received, its faults and its
 * budget, shared by the route handlers and the test hooks, and how it goes back to its seed.
 */
import { createFaultQueue, type FaultQueue } from './sandbox-faults.js'
import type { RateLimiter } from './sandbox-rate-limit.js'
import type { UpdateContext } from './sandbox-update.js'
import { ENERFLO_KEPT_ROLES, slugToName, type RoleSlugTable } from '../../enerflo/roles.js'
import { copyUser, sandboxRoleNames, type SandboxOptions, type SandboxRead, type SandboxRequest, type SandboxUser } from './sandbox-types.js'

/** The sandbox's mutable state, shared by the route handlers and the hooks. */
export interface SandboxState extends UpdateContext {
  /** PUT /api/v3/users calls. */
  requests: SandboxRequest[]
  /** POST /api/v1/users calls; `userId` is the new user's id when one was made. */
  creates: SandboxRequest[]
  /** GET calls. */
  reads: SandboxRead[]
  roleSlugs: RoleSlugTable
  faults: FaultQueue
  maxConcurrent: number
  reset (users?: SandboxUser[]): void
}

export function createSandboxState (opts: SandboxOptions, table: RoleSlugTable, limiter: RateLimiter): SandboxState {
  const initial = opts.users.map(copyUser)
  const state: SandboxState = {
    users: new Map(),
    knownRoles: new Set(opts.knownRoles ?? sandboxRoleNames(table)),
    keptRoles: new Set(ENERFLO_KEPT_ROLES.map((slug) => slugToName(slug, table) ?? slug)),
    offices: opts.offices === undefined ? undefined : new Set(opts.offices),
    roleSlugs: table,
    requests: [],
    creates: [],
    reads: [],
    faults: createFaultQueue(),
    maxConcurrent: 0,
    reset (users) {
      state.users = new Map((users ?? initial).map((u) => [u.id, copyUser(u)]))
      state.requests = []
      state.creates = []
      state.reads = []
      state.faults.clear()
      state.maxConcurrent = 0
      limiter.reset()
    }
  }
  state.reset()
  return state
}
