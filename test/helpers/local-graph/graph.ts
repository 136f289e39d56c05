/**
 * A local Microsoft Graph (and Entra login endpoint) over node:http, for tests: client-credentials
 * tokens, users with $select, the users delta with tokens that expire (delta.ts), managers, transitive group memberships with paging, groups by name
 * and their transitive members, and the subscriptions API with its validation handshake. A member
 * added to or removed from a group produces the change notifications Graph would send (taken with
 * takeNotifications(), so a test delivers them where and when it likes). Graph's auth errors, error bodies and
 * throttling (429/503/504 with Retry-After) are reproduced, and faults can be injected.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { graphError, readBody, sendJson } from './http.js'
import { routeSubscriptions, type SubscriptionStore } from './subscriptions.js'
import type { LocalFault, LocalGraph, LocalGraphOptions, Validator } from './types.js'
import { routeUsers, type Directory } from './users.js'
import { groupChangeItems, routeGroups } from './groups.js'
import { createDeltaState, expireTokens, removal, routeDelta, touch } from './delta.js'

export type { LocalFault, LocalGraph, LocalGraphOptions, LocalGroup, LocalSubscription, LocalUser } from './types.js'

/** By default Graph's validation request really goes over HTTP. */
const httpValidator: Validator = async (url) => {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '', signal: AbortSignal.timeout(10_000) })
  const body = await res.body.text()
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body }
}

export function createLocalGraph (opts: LocalGraphOptions): LocalGraph {
  const dir: Directory = {
    users: new Map(opts.users.map((u) => [u.id, structuredClone(u)])),
    groups: new Map(opts.groups.map((g) => [g.id, g])),
    pageSize: opts.pageSize ?? 999
  }
  const delta = createDeltaState(dir.users.keys())
  let validate = opts.validate ?? httpValidator
  const store: SubscriptionStore = {
    subs: new Map(), applicationId: opts.clientId, validate: () => validate, reauthorized: [], created: [], groupExists: (id) => dir.groups.has(id)
  }
  const outbox: Array<{ notificationUrl: string, item: Record<string, unknown> }> = []
  const membership = (groupId: string, userId: string, add: boolean): void => {
    const u = dir.users.get(userId)
    if (u === undefined || !dir.groups.has(groupId)) throw new Error(`no user ${userId} or group ${groupId}`)
    const had = u.groups.includes(groupId)
    if (had === add) return
    u.groups = add ? [...u.groups, groupId] : u.groups.filter((g) => g !== groupId)
    outbox.push(...groupChangeItems(store.subs.values(), groupId, opts.tenantId))
  }
  const tokens = new Map<string, number>()
  const log: Array<{ method: string, path: string, at: number }> = []
  const faults: LocalFault[] = []
  let latencyMs = 0

  async function token (req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
    const form = new URLSearchParams(await readBody(req))
    const fail = (status: number, error: string, description: string): void =>
      sendJson(res, status, { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)], timestamp: new Date().toISOString() })
    if (tenant !== opts.tenantId) return fail(400, 'invalid_request', `AADSTS90002: Tenant '${tenant}' not found.`)
    if (form.get('grant_type') !== 'client_credentials') return fail(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.')
    if (form.get('client_id') !== opts.clientId) return fail(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`)
    if (form.get('client_secret') !== opts.clientSecret) return fail(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.')
    if (!(form.get('scope') ?? '').endsWith('/.default')) return fail(400, 'invalid_scope', 'AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.')
    const lifetime = opts.tokenLifetimeSec ?? 3599
    const access = `eyJ0eXAi.${randomBytes(24).toString('base64url')}`
    tokens.set(access, Date.now() + lifetime * 1000)
    sendJson(res, 200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: access })
  }

  async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`)
    const login = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname)
    if (login !== null && req.method === 'POST') return await token(req, res, decodeURIComponent(login[1] ?? ''))
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs))
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const expires = bearer === undefined ? undefined : tokens.get(bearer)
    if (expires === undefined || expires <= Date.now()) {
      return sendJson(res, 401, graphError('InvalidAuthenticationToken', bearer === undefined ? 'Access token is empty.' : 'Access token has expired or is not yet valid.'))
    }
    const fault = faults.find((f) => f.path === undefined || url.pathname.includes(f.path))
    if (fault !== undefined) {
      if (--fault.count <= 0) faults.splice(faults.indexOf(fault), 1)
      const code = fault.status === 429 ? 'TooManyRequests' : fault.status === 503 ? 'ServiceUnavailable' : fault.status === 504 ? 'GatewayTimeout' : 'generalException'
      const headers: Record<string, string> = fault.kind === 'throttle' && fault.retryAfterSec !== undefined ? { 'retry-after': String(fault.retryAfterSec) } : {}
      return sendJson(res, fault.status, graphError(code, 'Please retry again later.'), headers)
    }
    if (routeDelta(dir, delta, req, res, url)) return
    if (routeUsers(dir, req, res, url)) return
    if (routeGroups(dir, req, res, url)) return
    if (await routeSubscriptions(store, req, res, url)) return
    sendJson(res, 400, graphError('BadRequest', `Resource not found for the segment '${url.pathname.split('/').at(-1) ?? ''}'.`))
  }

  const server = createServer((req, res) => {
    log.push({ method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now() })
    handle(req, res).catch(() => { if (!res.headersSent) sendJson(res, 500, graphError('generalException', 'An unexpected error occurred.')) })
  })

  return {
    async listen (port = 0, host = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => { server.off('error', reject); resolve() })
      })
      const { port: p } = server.address() as AddressInfo
      return `http://${host}:${p}`
    },
    async close () {
      if (!server.listening) return
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    },
    setUser: (u) => { dir.users.set(u.id, structuredClone(u)); touch(delta, u.id) },
    updateUser: (id, patch) => {
      const u = dir.users.get(id)
      if (u === undefined) throw new Error(`no user ${id}`)
      u.props = { ...u.props, ...patch }
      touch(delta, id)
    },
    setManager: (id, managerId) => {
      const u = dir.users.get(id)
      if (u === undefined) throw new Error(`no user ${id}`)
      if (managerId === undefined) delete u.managerId
      else u.managerId = managerId
      touch(delta, id)
    },
    deleteUser: (id) => { dir.users.delete(id); removal(delta, id, 'deleted') },
    outOfScope: (id) => { dir.users.delete(id); removal(delta, id, 'changed') },
    expireDeltaTokens: (how) => { expireTokens(delta, how) },
    addMember: (groupId, userId) => { membership(groupId, userId, true) },
    removeMember: (groupId, userId) => { membership(groupId, userId, false) },
    takeNotifications: () => {
      const byUrl = new Map<string, Array<Record<string, unknown>>>()
      for (const { notificationUrl, item } of outbox.splice(0)) byUrl.set(notificationUrl, [...(byUrl.get(notificationUrl) ?? []), item])
      return [...byUrl].map(([notificationUrl, value]) => ({ notificationUrl, body: { value } }))
    },
    createdSubscriptions: () => store.created.map((s) => ({ ...s })),
    setValidator: (v) => { validate = v },
    setLatency: (ms) => { latencyMs = ms },
    subscriptions: () => [...store.subs.values()].filter((s) => Date.parse(s.expirationDateTime) > Date.now()).map((s) => ({ ...s })),
    setExpiry: (id, iso) => {
      const s = store.subs.get(id)
      if (s !== undefined) s.expirationDateTime = iso
    },
    removeSubscription: (id) => { store.subs.delete(id) },
    requests: () => log.map((r) => ({ ...r })),
    inject: (fault) => { if (fault.count > 0) faults.push({ ...fault }) }
  }
}
