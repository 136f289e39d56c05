/**
 * A local Enerflo: a node:http server that answers PUT /api/v3/users the way Enerflo documents it
 * (api-key header, per-key rate limit with x-ratelimit-* headers and an HTML 429, Laravel-style
 * 422 bodies), plus test hooks under /__sandbox/ to read state and inject faults. `npm start`
 * runs it when no Enerflo credentials are set, and every test talks to it over real HTTP.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { createFaultQueue } from './sandbox-faults.js'
import { handleHook } from './sandbox-hooks.js'
import { readBody, send } from './sandbox-http.js'
import { TOO_MANY_REQUESTS_HTML, createRateLimiter, tooManyHeaders } from './sandbox-rate-limit.js'
import { applyUpdate, bodyUserId } from './sandbox-update.js'
import { DEFAULT_ROLE_NAMES, copyUser } from './sandbox-types.js'
import type { SandboxFault, SandboxOptions, SandboxRequest, SandboxUser } from './sandbox-types.js'
import type { SandboxState } from './sandbox-hooks.js'

export type { SandboxFault, SandboxOptions, SandboxRequest, SandboxUser } from './sandbox-types.js'
export { DEFAULT_ROLE_NAMES } from './sandbox-types.js'
export { loadSandboxSeed } from './sandbox-seed.js'

export interface EnerfloSandbox {
  /** Resolves to the base URL; defaults to 127.0.0.1 on a free port. */
  listen (port?: number, host?: string): Promise<string>
  close (): Promise<void>
  /** Deep copies, in id order. */
  users (): SandboxUser[]
  user (id: number): SandboxUser | undefined
  /** Every PUT received, in arrival order. */
  requests (): SandboxRequest[]
  /** Highest number of overlapping in-flight PUTs seen for one user id. */
  maxConcurrentPerUser (): number
  inject (fault: SandboxFault): void
  /** Back to the given users (or the ones it started with); clears requests, faults and budget. */
  reset (users?: SandboxUser[]): void
}

export function createEnerfloSandbox (opts: SandboxOptions): EnerfloSandbox {
  const initial = opts.users.map(copyUser)
  const limit = opts.rateLimit ?? { max: 300, windowMs: 60_000 }
  const limiter = createRateLimiter(limit.max, limit.windowMs)
  const key = Buffer.from(opts.apiKey)
  const sleepers = new Set<() => void>()
  const inFlight = new Map<number, number>()
  const state: SandboxState = {
    users: new Map(),
    knownRoles: new Set(opts.knownRoles ?? DEFAULT_ROLE_NAMES),
    offices: opts.offices === undefined ? undefined : new Set(opts.offices),
    requests: [],
    faults: createFaultQueue(),
    maxConcurrent: 0,
    reset (users) {
      state.users = new Map((users ?? initial).map((u) => [u.id, copyUser(u)]))
      state.requests = []
      state.faults.clear()
      state.maxConcurrent = 0
      limiter.reset()
    }
  }
  state.reset()

  const authorized = (req: IncomingMessage): boolean => {
    const given = req.headers['api-key']
    if (typeof given !== 'string') return false
    const b = Buffer.from(given)
    return b.length === key.length && timingSafeEqual(b, key)
  }

  // Resolved early by close(), so a latency fault never outlives the server.
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    const done = (): void => { clearTimeout(timer); sleepers.delete(done); resolve() }
    const timer = setTimeout(done, ms)
    sleepers.add(done)
  })

  async function putUser (req: IncomingMessage, res: ServerResponse, rec: SandboxRequest, raw: string, json: boolean): Promise<void> {
    const reply = (status: number, headers: Record<string, string>, body: unknown): void => {
      rec.status = status
      send(res, status, headers, body)
    }
    if (!authorized(req)) return reply(401, {}, { success: false, message: 'Unauthenticated.' })
    const budget = limiter.take(opts.apiKey)
    if (!budget.allowed) return reply(429, budget.headers, TOO_MANY_REQUESTS_HTML)
    const fault = state.faults.take()
    if (fault?.kind === 'drop') { res.socket?.destroy(); return }
    if (fault?.kind === 'rate-limit') return reply(429, tooManyHeaders(limit.max, fault.retryAfterSec), TOO_MANY_REQUESTS_HTML)
    if (fault?.kind === 'status') {
      const body = fault.body ?? { success: false, message: fault.status >= 500 ? 'Server Error' : `HTTP ${fault.status}` }
      let parsed: unknown = body
      try { parsed = typeof body === 'string' ? JSON.parse(body) : body } catch { /* an HTML page is fine */ }
      return reply(fault.status, budget.headers, parsed)
    }
    if (fault?.kind === 'latency') await sleep(fault.ms)
    if (!json) return reply(400, budget.headers, { success: false, message: `The request body is not valid JSON: ${raw.slice(0, 80)}` })
    const outcome = applyUpdate(state, rec.body)
    reply(outcome.status, budget.headers, outcome.body)
  }

  async function onPut (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now()
    const raw = await readBody(req)
    let body: unknown = raw
    let json = true
    try { body = JSON.parse(raw) } catch { json = false }
    const rec: SandboxRequest = { at, userId: json ? bodyUserId(body) : undefined, body, status: 0, durationMs: 0 }
    state.requests.push(rec)
    const id = rec.userId
    if (id !== undefined) {
      const n = (inFlight.get(id) ?? 0) + 1
      inFlight.set(id, n)
      state.maxConcurrent = Math.max(state.maxConcurrent, n)
    }
    try {
      await putUser(req, res, rec, raw, json)
    } finally {
      if (id !== undefined) inFlight.set(id, (inFlight.get(id) ?? 1) - 1)
      rec.durationMs = Date.now() - at
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    let work: Promise<void>
    if (path === '/api/v3/users') {
      work = req.method === 'PUT' ? onPut(req, res) : Promise.resolve(send(res, 405, { allow: 'PUT' }, { success: false, message: 'Method not allowed.' }))
    } else if (path.startsWith('/__sandbox/')) {
      work = authorized(req)
        ? readBody(req).then((raw) => { handleHook(state, req.method ?? 'GET', path, raw, res) })
        : Promise.resolve(send(res, 401, {}, { success: false, message: 'Unauthenticated.' }))
    } else {
      work = Promise.resolve(send(res, 404, {}, { success: false, message: 'Not Found' }))
    }
    work.catch(() => { res.destroy() })
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
      for (const wake of [...sleepers]) wake()
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
    maxConcurrentPerUser: () => state.maxConcurrent,
    inject (fault) { state.faults.push(fault) },
    reset (users) { state.reset(users) }
  }
}
