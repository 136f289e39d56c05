/**
 * Microsoft Graph client for the worker: a user as it is now, its manager and its group names, plus
 * the subscriptions API (src/graph/subscriptions-api.ts) on the same token and connection pool.
 * No retries: BullMQ owns them. Every failure is one UpstreamError saying whether waiting helps.
 */
import type { Dispatcher } from 'undici'
import { UpstreamError } from '../errors.js'
import { idSegment } from '../sync/user-id.js'
import { usePool } from '../http/dispatcher.js'
import { waitOutThrottling } from '../http/throttle-wait.js'
import { errorCode, everyPage, isObject, send, unexpected, type Call } from './http.js'
import { createTokenSource, type GraphCredentials } from './token.js'
import { createSubscriptionsApi, type SubscriptionsApi } from './subscriptions-api.js'
import { createGroupsApi, type GroupsApi } from './groups-api.js'
import { createDeltaApi, type DeltaApi } from './delta.js'
import type { GraphManagerData, GraphUserData } from '../mapping/graph.js'

export type { GraphCredentials } from './token.js'

export type { GraphUserData as GraphUser, GraphManagerData as GraphManager } from '../mapping/graph.js'
type GraphUser = GraphUserData
type GraphManager = GraphManagerData

export interface GraphClientOptions {
  /** https://graph.microsoft.com, or a local stand-in. */
  baseUrl: string
  credentials: GraphCredentials
  dispatcher?: Dispatcher
  timeoutMs?: number
}

export interface GraphClient {
  /** The user with these properties, or null when Graph says it does not exist (deleted). */
  getUser: (id: string, select: readonly string[]) => Promise<GraphUser | null>
  /** The user's manager, or null when it has none. */
  getManager: (id: string) => Promise<GraphManager | null>
  /** The display names of every group the user is in, directly or through nested groups. */
  listGroupNames: (id: string) => Promise<string[]>
  subscriptions: SubscriptionsApi
  /** Mapped groups by name, and their members (for membership changes). */
  groups: GroupsApi
  /** The users delta, for reconciliation. */
  delta: DeltaApi
  /**
   * The reads a reconciliation pass makes, waiting out Graph's 429 Retry-After where they are
   * (src/http/throttle-wait.ts) instead of failing a pass that has read half the tenant.
   */
  forPasses: Pick<GraphClient, 'getUser' | 'groups' | 'delta'>
  close: () => Promise<void>
}

/** How many throttled answers in a row a pass's call waits out before the pass fails. */
const PASS_THROTTLE_WAITS = 10

export type { Call } from './http.js'

const NOT_FOUND = 'Request_ResourceNotFound'
const MAX_PAGES = 1000

export function createGraphClient (opts: GraphClientOptions): GraphClient {
  const origin = new URL(opts.baseUrl).origin
  const pool = usePool(opts.dispatcher)
  const dispatcher = pool.dispatcher
  const timeoutMs = opts.timeoutMs ?? 10_000
  const tokens = createTokenSource({ credentials: opts.credentials, apiUrl: origin, dispatcher, timeoutMs })

  const call: Call = async (method, pathOrUrl, what, body, headers = {}) => {
    const url = pathOrUrl.startsWith('/') ? `${origin}${pathOrUrl}` : pathOrUrl
    // The token goes with every request: never follow a link off Graph.
    if (new URL(url).origin !== origin) throw new UpstreamError('GRAPH_HTTP', `Graph sent a link to another host ${what}`, { status: 0, transient: false })
    const token = await tokens.get()
    try {
      return await send({
        method, url, what,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
        ...(body !== undefined && { body: JSON.stringify(body) })
      }, { dispatcher, timeoutMs, secrets: [token] })
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 401 && errorCode(err.body) === 'InvalidAuthenticationToken') {
        // Revoked or expired early: the next attempt fetches a new token.
        tokens.invalidate(token)
        throw new UpstreamError('GRAPH_HTTP', err.message, { status: 401, headers: err.headers, body: err.body, transient: true, cause: err })
      }
      throw err
    }
  }

  const patient: Call = async (...args) => await waitOutThrottling(async () => await call(...args), PASS_THROTTLE_WAITS)
  const notFound = (err: unknown): boolean => err instanceof UpstreamError && err.status === 404 && errorCode(err.body) === NOT_FOUND
  const userPath = (id: string): string => `/v1.0/users/${idSegment(id)}`
  const getUser = (via: Call): GraphClient['getUser'] => async (id, select) => {
    try {
      const answer = await via('GET', `${userPath(id)}?$select=${[...new Set(['id', ...select])].join(',')}`, 'for GET user')
      const user = answer.body
      if (!isObject(user) || typeof user['id'] !== 'string') throw unexpected(answer, 'for GET user')
      return user as GraphUser
    } catch (err) {
      // Only Graph's own "not found" means deleted: a 404 from a wrong GRAPH_API_URL must not
      // deactivate everyone.
      if (notFound(err)) return null
      throw err
    }
  }

  return {
    getUser: getUser(call),

    async getManager (id) {
      try {
        const answer = await call('GET', `${userPath(id)}/manager?$select=mail,userPrincipalName`, 'for GET manager')
        const m = answer.body
        if (!isObject(m)) throw unexpected(answer, 'for GET manager')
        const text = (v: unknown): string | null => typeof v === 'string' ? v : null
        return { mail: text(m['mail']), userPrincipalName: text(m['userPrincipalName']) }
      } catch (err) {
        if (notFound(err)) return null
        throw err
      }
    },

    async listGroupNames (id) {
      const names: string[] = []
      // The OData cast to groups needs Graph's advanced query mode ($count + ConsistencyLevel).
      const first = `${userPath(id)}/transitiveMemberOf/microsoft.graph.group?$select=displayName&$top=999&$count=true`
      await everyPage(call, first, 'for GET user groups', MAX_PAGES, (g) => {
        if (isObject(g) && typeof g['displayName'] === 'string') names.push(g['displayName'])
      }, { consistencylevel: 'eventual' })
      return names
    },

    subscriptions: createSubscriptionsApi(call),
    groups: createGroupsApi(call),
    delta: createDeltaApi(call),
    forPasses: { getUser: getUser(patient), groups: createGroupsApi(patient), delta: createDeltaApi(patient) },
    close: pool.close
  }
}
