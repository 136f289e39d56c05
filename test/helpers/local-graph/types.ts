/**
 * Shapes of the local Graph server (the Graph that tests talk to): users, groups, subscriptions,
 * injected faults, and the controls a test uses.
 */

export interface LocalUser {
  id: string
  /** Graph properties (givenName, mail, accountEnabled, employeeId, businessPhones …). */
  props: Record<string, unknown>
  managerId?: string
  /** Ids of the groups the user is a direct member of. */
  groups: string[]
}

export interface LocalGroup {
  id: string
  displayName: string
  /** Ids of groups this group is itself a member of (nesting: membership is transitive). */
  memberOf?: string[]
}

export interface LocalSubscription {
  id: string
  resource: string
  changeType: string
  notificationUrl: string
  lifecycleNotificationUrl: string | null
  clientState: string | null
  expirationDateTime: string
  applicationId: string
}

export type LocalFault =
  /** Throttling as Graph sends it: 429 (or 503/504) with Retry-After, on paths containing `path`. */
  | { kind: 'throttle', status: 429 | 503 | 504, retryAfterSec?: number, count: number, path?: string }
  | { kind: 'status', status: number, count: number, path?: string }

/** Answers Graph's validation request: POST {url}?validationToken=…; returns what the endpoint said. */
export type Validator = (url: string) => Promise<{ status: number, contentType: string, body: string }>

export interface LocalGraphOptions {
  tenantId: string
  clientId: string
  clientSecret: string
  users: LocalUser[]
  groups: LocalGroup[]
  /** Largest page the server sends for group memberships (Graph: 999). */
  pageSize?: number
  tokenLifetimeSec?: number
  /** Defaults to a real HTTP POST to the URL. */
  validate?: Validator
}

export interface LocalGraph {
  listen: (port?: number, host?: string) => Promise<string>
  close: () => Promise<void>
  setUser: (u: LocalUser) => void
  updateUser: (id: string, patch: Record<string, unknown>) => void
  /** Gives a user another manager (or none): a change of the relationship only. */
  setManager: (id: string, managerId: string | undefined) => void
  deleteUser: (id: string) => void
  /** Takes the user out of the app's scope: the next delta round says `@removed` reason `changed`. */
  outOfScope: (id: string) => void
  /** Every delta token issued so far expires: 400 syncStateNotFound, or 410 Gone. */
  expireDeltaTokens: (how: 'syncStateNotFound' | 'gone') => void
  /** Makes the user a direct member of the group (or no longer one), and queues the notifications Graph sends for it. */
  addMember: (groupId: string, userId: string) => void
  removeMember: (groupId: string, userId: string) => void
  /** The change notifications produced since the last call, one POST body per notification URL. */
  takeNotifications: () => Array<{ notificationUrl: string, body: { value: Array<Record<string, unknown>> } }>
  /** Every subscription ever created, removed or not. */
  createdSubscriptions: () => LocalSubscription[]
  setValidator: (v: Validator) => void
  /** Every API call (not the token endpoint) takes this long, as real Graph calls do. */
  setLatency: (ms: number) => void
  subscriptions: () => LocalSubscription[]
  /** Moves a subscription's expiry (as if time had passed); Graph drops it once expired. */
  setExpiry: (id: string, iso: string) => void
  /** Drops a subscription, as Graph does when it removes one. */
  removeSubscription: (id: string) => void
  /** Every request received, in order; `path` includes the query string. */
  requests: () => Array<{ method: string, path: string, at: number }>
  inject: (fault: LocalFault) => void
}
