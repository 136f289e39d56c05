/**
 * A local, Okta-shaped directory over node:http: the sandbox's demo directory and the Okta that
 * tests talk to. It speaks the parts of the Users API the service uses (user, user's groups with
 * Link paging, profile updates, lifecycle, and the lists reconciliation reads: directory-lists.ts), with Okta's auth, error bodies and rate-limit headers,
 * and can be told to fail (`inject`) the way Okta does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createDirectoryStore, type DirectoryStore, type StoredUser } from './directory-store.js'
import { createRateWindow, oktaErrorBody, sendJson, type RateWindow } from './directory-http.js'
import { OKTA_FAMILIES, oktaFamily } from '../../okta/rate-family.js'
import { routeLists } from './directory-lists.js'
import { handleDirectoryHook } from './directory-hooks.js'
import type { DirectoryFault, DirectoryGroup, DirectoryUser, LoggedRequest, OktaDirectory } from './directory-types.js'

export type { DirectoryFault, DirectoryGroup, DirectoryUser, LoggedRequest, OktaDirectory } from './directory-types.js'
export { loadDirectorySeed } from './directory-seed.js'

const MAX_PAGE = 200
const LIFECYCLE: Record<string, { from?: string[], to: string }> = {
  activate: { from: ['STAGED', 'PROVISIONED', 'DEPROVISIONED'], to: 'ACTIVE' },
  deactivate: { to: 'DEPROVISIONED' },
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED' },
  unsuspend: { from: ['SUSPENDED'], to: 'ACTIVE' }
}

export interface OktaDirectoryOptions {
  token: string
  users: DirectoryUser[]
  groups: DirectoryGroup[]
  pageSize?: number
  /** The org's limit per window for each endpoint family (src/okta/rate-family.ts); default 600. */
  rateLimit?: number
  /** The length of Okta's rate-limit window; a minute unless a bench scales it. */
  rateWindowMs?: number
}

export function createOktaDirectory (opts: OktaDirectoryOptions): OktaDirectory {
  const store = createDirectoryStore(opts.users, opts.groups)
  const pageSize = Math.min(opts.pageSize ?? MAX_PAGE, MAX_PAGE)
  const windows = new Map(OKTA_FAMILIES.map((f) => [f, createRateWindow(opts.rateLimit, opts.rateWindowMs)]))
  const log: LoggedRequest[] = []
  const faults: DirectoryFault[] = []

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET'
    const family = oktaFamily(method, req.url ?? '/')
    const rate = windows.get(family) as RateWindow
    const { headers, exceeded } = rate.take()
    const entry: LoggedRequest = { method, path: req.url ?? '/', family, rateWindow: Number(headers['x-rate-limit-reset']) }
    log.push(entry)
    res.once('finish', () => { entry.status = res.statusCode })
    const fail = (status: number, summary?: string): void => sendJson(res, status, oktaErrorBody(status, summary), headers)

    if (req.headers.authorization !== `SSWS ${opts.token}`) return fail(401)
    if ((req.url ?? '').startsWith('/__sandbox/')) return void handleDirectoryHook(req, res, { inject: (f) => { if (f.count > 0) faults.push({ ...f }) }, clear: () => { faults.length = 0 } }).catch(() => { res.destroy() })
    const fault = faults.find((f) => f.path === undefined || decodeURIComponent((req.url ?? '').replace(/\+/g, ' ')).includes(f.path))
    if (fault !== undefined) {
      if (--fault.count <= 0) faults.splice(faults.indexOf(fault), 1)
      if (fault.kind === 'rate-limit') return sendJson(res, 429, oktaErrorBody(429), rate.exhausted(fault.resetInSec))
      return fail(fault.status)
    }
    if (exceeded) return fail(429)
    route(store, req, res, headers, pageSize).catch(() => {
      if (!res.headersSent) fail(500)
    })
  })

  return {
    async listen (port = 0, host = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => { server.off('error', reject); resolve() })
      })
      const address = server.address() as AddressInfo
      const h = address.family === 'IPv6' ? `[${address.address}]` : address.address
      return `http://${h}:${address.port}`
    },
    async close () {
      if (!server.listening) return
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Keep-alive connections from clients would otherwise hold close() open.
      server.closeAllConnections()
      await closed
    },
    setUser: (u) => store.setUser(u),
    updateProfile: (id, patch) => { store.updateProfile(id, patch) },
    setStatus: (id, status) => { store.setStatus(id, status) },
    deleteUser: (id) => store.deleteUser(id),
    addToGroup: (userId, groupId) => store.addToGroup(userId, groupId),
    removeFromGroup: (userId, groupId) => store.removeFromGroup(userId, groupId),
    requests: () => log.map((r) => ({ ...r })),
    throttled: () => log.filter((r) => r.status === 429).length,
    inject: (fault) => { if (fault.count > 0) faults.push({ ...fault }) }
  }
}

async function route (store: DirectoryStore, req: IncomingMessage, res: ServerResponse, headers: Record<string, string>, pageSize: number): Promise<void> {
  const origin = `http://${req.headers.host ?? 'localhost'}`
  const url = new URL(req.url ?? '/', origin)
  const m = /^\/api\/v1\/users\/([^/]+)(?:\/(groups|lifecycle\/([a-z]+)))?\/?$/.exec(url.pathname)
  const send = (status: number, body: unknown, extra: Record<string, string> = {}): void =>
    sendJson(res, status, body, { ...headers, ...extra })
  const fail = (status: number, summary?: string, code?: string): void => send(status, oktaErrorBody(status, summary, code))

  const method = req.method ?? 'GET'
  if (routeLists(store, method, url, send, fail, { user: (u) => userJson(u, origin), group: (g) => groupJson(g, origin) })) return
  if (m === null) return fail(404, `Not found: Resource not found: ${url.pathname}`)
  const id = decodeURIComponent(m[1] ?? '')
  const user = store.find(id)
  if (user === undefined) return fail(404, `Not found: Resource not found: ${id} (User)`)

  if (m[2] === undefined && method === 'GET') return send(200, userJson(user, origin))
  if (m[2] === undefined && method === 'POST') {
    const body = await readJson(req)
    const profile = (body as { profile?: unknown } | undefined)?.profile
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
      return fail(400, 'The request body was not well-formed.', 'E0000003')
    }
    return send(200, userJson(store.updateProfile(user.id, profile as Record<string, unknown>), origin))
  }
  if (m[2] === 'groups' && method === 'GET') {
    const limit = Math.min(Number.parseInt(url.searchParams.get('limit') ?? '', 10) || pageSize, pageSize)
    const all = user.groups.map((g) => store.group(g)).filter((g) => g !== undefined)
    const after = url.searchParams.get('after')
    const start = after === null ? 0 : all.findIndex((g) => g.id === after) + 1
    const page = start === 0 && after !== null ? [] : all.slice(start, start + limit)
    const base = `${origin}/api/v1/users/${encodeURIComponent(user.id)}/groups?limit=${limit}`
    const links = [`<${after === null ? base : `${base}&after=${encodeURIComponent(after)}`}>; rel="self"`]
    const last = page.at(-1)
    if (last !== undefined && start + page.length < all.length) links.push(`<${base}&after=${encodeURIComponent(last.id)}>; rel="next"`)
    return send(200, page.map((g) => groupJson(g, origin)), { link: links.join(', ') })
  }
  const lifecycle = m[3] === undefined ? undefined : LIFECYCLE[m[3]]
  if (lifecycle !== undefined && method === 'POST') {
    await readJson(req)
    if (lifecycle.from !== undefined && !lifecycle.from.includes(user.status)) {
      return fail(400, `Api validation failed: cannot ${m[3]} a user whose status is ${user.status}`)
    }
    store.setStatus(user.id, lifecycle.to)
    return send(200, {})
  }
  return fail(405, 'The endpoint does not support the provided HTTP method', 'E0000022')
}

async function readJson (req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function userJson (u: StoredUser, origin: string): Record<string, unknown> {
  const self = `${origin}/api/v1/users/${encodeURIComponent(u.id)}`
  return {
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.activated,
    statusChanged: u.statusChanged,
    lastLogin: null,
    lastUpdated: u.lastUpdated,
    passwordChanged: null,
    profile: u.profile,
    credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
    _links: { self: { href: self }, deactivate: { href: `${self}/lifecycle/deactivate` } }
  }
}

function groupJson (g: DirectoryGroup, origin: string): Record<string, unknown> {
  return {
    id: g.id,
    objectClass: ['okta:user_group'],
    type: 'OKTA_GROUP',
    profile: { name: g.name, description: null },
    _links: { self: { href: `${origin}/api/v1/groups/${encodeURIComponent(g.id)}` } }
  }
}
