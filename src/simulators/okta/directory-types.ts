/**
 * Shapes of the local Okta directory (the sandbox's demo directory and the tests' Okta).
 */

export interface DirectoryUser {
  id: string
  status: string
  profile: Record<string, unknown>
  /** Group ids, in the order Okta lists them. */
  groups: string[]
  /** When it last changed (a seed of users who have not changed lately); default: when set. */
  lastUpdated?: string
}

export interface DirectoryGroup {
  id: string
  name: string
}

/** `path`: only requests whose path (with its query) contains it fail; others pass. */
export type DirectoryFault =
  | { kind: 'status', status: number, count: number, path?: string }
  | { kind: 'rate-limit', count: number, resetInSec: number, path?: string }

export interface LoggedRequest {
  method: string
  /** With the query string. */
  path: string
  /** The rate-limit family that counted it (src/okta/rate-family.ts) … */
  family: string
  /** … and the window, by its X-Rate-Limit-Reset. */
  rateWindow: number
  /** Once answered. */
  status?: number
}

export interface OktaDirectory {
  /** Starts listening (port 0 = any free port, host 127.0.0.1 by default); resolves to the base URL. */
  listen: (port?: number, host?: string) => Promise<string>
  close: () => Promise<void>
  setUser: (u: DirectoryUser) => void
  updateProfile: (id: string, patch: Record<string, unknown>) => void
  setStatus: (id: string, status: string) => void
  deleteUser: (id: string) => void
  addToGroup: (userId: string, groupId: string) => void
  removeFromGroup: (userId: string, groupId: string) => void
  /** Every request received, in order. */
  requests: () => LoggedRequest[]
  /** How many requests were answered 429 (over the org's limit, or an injected rate-limit fault). */
  throttled: () => number
  /** The next `count` authenticated requests fail this way; faults queue up in order. */
  inject: (fault: DirectoryFault) => void
}
