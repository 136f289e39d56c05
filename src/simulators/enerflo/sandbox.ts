/**
 * A local Enerflo: a node:http server that answers the calls the service makes the way Enerflo
 * documents them (api-key header, one per-key budget for reads and writes with x-ratelimit-*
 * headers and an HTML 429, Laravel-style 422 bodies), plus test hooks under /__sandbox/ to read
 * state and inject faults. `npm start` runs it when no Enerflo credentials are set, and every
 * test talks to it over real HTTP. Routes:
 *   GET  /api/v3/users?page&pageSize&status   one page of users (sandbox-read.ts)
 *   GET  /api/v3/users/{id}                   one user, 404 when unknown or deleted
 *   PUT  /api/v3/users                        update a user (sandbox-update.ts)
 *   POST /api/v1/users                        add a user (sandbox-create.ts)
 * and POST /__sandbox/users/{id}/reassign-leads {role?}: what reassigning a user's leads in
 * Enerflo does to the user's blocked role removals.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createGate } from './sandbox-gate.js'
import { handleHook, reassignUserLeads } from './sandbox-hooks.js'
import { readBody, send } from './sandbox-http.js'
import { createRateLimiter } from './sandbox-rate-limit.js'
import { applyUpdate, bodyUserId } from './sandbox-update.js'
import { applyCreate } from './sandbox-create.js'
import { getUser, listUsers } from './sandbox-read.js'
import { roleSlugTable } from '../../enerflo/roles.js'
import { createSandboxState } from './sandbox-state.js'
import { copyUser, type Outcome } from './sandbox-types.js'
import type { SandboxFault, SandboxOptions, SandboxRead, SandboxRequest, SandboxUser } from './sandbox-types.js'

export type { FaultTarget, SandboxFault, SandboxOptions, SandboxRead, SandboxRequest, SandboxUser } from './sandbox-types.js'
export { sandboxRoleNames } from './sandbox-types.js'
export { loadSandboxSeed } from './sandbox-seed.js'

export interface EnerfloSandbox {
  /** Resolves to the base URL; defaults to 127.0.0.1 on a free port. */
  listen (port?: number, host?: string): Promise<string>
  close (): Promise<void>
  /** Deep copies, in id order, deleted users included. */
  users (): SandboxUser[]
  user (id: number): SandboxUser | undefined
  /** Every PUT received, in arrival order. */
  requests (): SandboxRequest[]
  /** Every POST /api/v1/users received, in arrival order. */
  creates (): SandboxRequest[]
  /** Every GET of the API received (lists and by id), in arrival order. */
  reads (): SandboxRead[]
  /** Highest number of overlapping in-flight PUTs seen for one user id. */
  maxConcurrentPerUser (): number
  inject (fault: SandboxFault): void
  /**
   * Someone reassigned the user's surveys and appointments in Enerflo: nothing is attributed to
   * it as `role` any more (in any role when none is named), so Enerflo lets that role go.
   * False when there is no such user.
   */
  reassignLeads (id: number, role?: string): boolean
  /** Back to the given users (or the ones it started with); clears records, faults and budget. */
  reset (users?: SandboxUser[]): void
}

const notJson = (raw: string): Outcome => ({ status: 400, body: { success: false, message: `The request body is not valid JSON: ${raw.slice(0, 80)}` } })

export function createEnerfloSandbox (opts: SandboxOptions): EnerfloSandbox {
  const limit = opts.rateLimit ?? { max: 300, windowMs: 60_000 }
  const limiter = createRateLimiter(limit.max, limit.windowMs)
  const table = roleSlugTable(opts.roleSlugs)
  const inFlight = new Map<number, number>()
  const state = createSandboxState(opts, table, limiter)
  const gate = createGate({ apiKey: opts.apiKey, limiter, limitMax: limit.max, faults: state.faults })

  async function write (req: IncomingMessage, res: ServerResponse, log: SandboxRequest[], route: (body: unknown) => Outcome): Promise<void> {
    const at = Date.now()
    const raw = await readBody(req)
    let body: unknown = raw
    let json = true
    try { body = JSON.parse(raw) } catch { json = false }
    const put = req.method === 'PUT'
    const rec: SandboxRequest = { at, userId: json && put ? bodyUserId(body) : undefined, body, status: 0, durationMs: 0 }
    log.push(rec)
    const id = rec.userId
    if (id !== undefined) {
      const n = (inFlight.get(id) ?? 0) + 1
      inFlight.set(id, n)
      state.maxConcurrent = Math.max(state.maxConcurrent, n)
    }
    try {
      await gate.serve(req, res, put ? 'put' : 'post', rec, () => {
        const outcome = json ? route(rec.body) : notJson(raw)
        const data = outcome.body['data'] as { id?: unknown } | undefined
        if (!put && outcome.status < 300 && typeof data?.id === 'number') rec.userId = data.id
        return outcome
      })
    } finally {
      if (id !== undefined) inFlight.set(id, (inFlight.get(id) ?? 1) - 1)
      rec.durationMs = Date.now() - at
    }
  }

  async function read (req: IncomingMessage, res: ServerResponse, route: () => Outcome): Promise<void> {
    req.resume()
    const rec: SandboxRead = { at: Date.now(), method: 'GET', path: req.url ?? '/', status: 0 }
    state.reads.push(rec)
    await gate.serve(req, res, 'get', rec, route)
  }

  const notAllowed = (res: ServerResponse, allow: string): Promise<void> =>
    Promise.resolve(send(res, 405, { allow }, { success: false, message: 'Method not allowed.' }))

  function route (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox')
    const path = url.pathname
    const method = req.method ?? 'GET'
    if (path === '/api/v3/users') {
      if (method === 'PUT') return write(req, res, state.requests, (body) => applyUpdate(state, body))
      if (method === 'GET') return read(req, res, () => listUsers(state.users.values(), url.searchParams, table))
      return notAllowed(res, 'GET, PUT')
    }
    const one = /^\/api\/v3\/users\/([^/]+)$/.exec(path)
    if (one !== null) {
      return method === 'GET' ? read(req, res, () => getUser(state.users, one[1] ?? '', table)) : notAllowed(res, 'GET')
    }
    if (path === '/api/v1/users') {
      return method === 'POST' ? write(req, res, state.creates, (body) => applyCreate(state, body, table)) : notAllowed(res, 'POST')
    }
    if (path.startsWith('/__sandbox/')) {
      return gate.authorized(req)
        ? readBody(req).then((raw) => { handleHook(state, method, path, raw, res) })
        : Promise.resolve(send(res, 401, {}, { success: false, message: 'Unauthenticated.' }))
    }
    return Promise.resolve(send(res, 404, {}, { success: false, message: 'Not Found' }))
  }

  const server = createServer((req, res) => {
    route(req, res).catch(() => { res.destroy() })
  })

  return {
    listen (port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          const addr = server.address()
          const p = typeof addr === 'object' && addr !== null ? addr.port : port
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${p}`)
        })
      })
    },
    close () {
      gate.wakeAll()
      return new Promise((resolve) => {
        if (!server.listening) { resolve(); return }
        server.close(() => { resolve() })
        server.closeAllConnections()
      })
    },
    users: () => [...state.users.values()].sort((a, b) => a.id - b.id).map(copyUser),
    user (id) {
      const u = state.users.get(id)
      return u === undefined ? undefined : copyUser(u)
    },
    requests: () => state.requests.map((r) => structuredClone(r)),
    creates: () => state.creates.map((r) => structuredClone(r)),
    reads: () => state.reads.map((r) => ({ ...r })),
    maxConcurrentPerUser: () => state.maxConcurrent,
    inject (fault) { state.faults.push(fault) },
    reassignLeads: (id, role) => reassignUserLeads(state, id, role),
    reset (users) { state.reset(users) }
  }
}
