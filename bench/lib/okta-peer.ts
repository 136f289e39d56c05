/**
 * An Okta-shaped peer for the benches: GET /api/v1/users/{id} and /api/v1/users/{id}/groups with
 * the bodies the service's client reads, an SSWS token, an optional answer delay, and no rate
 * limit (its X-Rate-Limit headers name one no bench reaches). The project's local Okta directory (src/simulators/okta/directory.ts) enforces Okta's 600 requests
 * per minute with no way to scale it, and the worker asks Okta twice per user; at the scaled
 * Enerflo budgets the benches use (3,600 calls/min) that limit, not Enerflo's, would be measured.
 *
 * Users are synthetic: id `00ub<n>` is user n, linked to Enerflo user ENERFLO_ID_BASE + n, in the
 * mapped groups Reps (Sales Rep) and Phoenix (office 101). `change(n, patch)` edits a profile.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SandboxUser } from '../../src/simulators/enerflo/sandbox.js'

export const ENERFLO_ID_BASE = 100_000
export const GROUPS = [{ id: '00gbreps', name: 'Reps' }, { id: '00gbphx', name: 'Phoenix' }]
export const MAPPING = {
  identity: { okta: { enerfloUserIdAttribute: 'enerfloUserId', managerEmailAttribute: 'managerEmail' } },
  roles: [{ group: 'Reps', roles: ['Sales Rep'] }],
  offices: [{ group: 'Phoenix', officeId: 101 }]
}

export const oktaId = (n: number): string => `00ub${n}`

export interface OktaPeerOptions {
  token: string
  /** Users 0..users-1 exist. */
  users: number
  /** Without email the first sync sends no email (the sandbox checks uniqueness by a scan). */
  withEmail: boolean
  /** Delay before every answer, ms. */
  latencyMs?: number
}

export interface OktaPeer {
  url: string
  change: (n: number, patch: Record<string, string>) => void
  /** Okta's status for user n (ACTIVE unless set). */
  setStatus: (n: number, status: string) => void
  requests: () => number
  close: () => Promise<void>
}

function profile (n: number, withEmail: boolean, patch: Record<string, string> | undefined): Record<string, string> {
  const base: Record<string, string> = withEmail
    ? { login: `user${n}@bench.example`, email: `user${n}@bench.example` }
    : { login: `user${n}` }
  return { ...base, firstName: `First${n}`, lastName: 'Bench', mobilePhone: '480-555-0100', enerfloUserId: String(ENERFLO_ID_BASE + n), ...patch }
}

/** The Enerflo side before any sync: every user's first name is stale. */
export function staleEnerfloUsers (count: number, withEmail: boolean): SandboxUser[] {
  const out: SandboxUser[] = []
  for (let n = 0; n < count; n++) {
    out.push({
      id: ENERFLO_ID_BASE + n,
      first_name: 'Stale',
      last_name: 'Bench',
      ...(withEmail ? { email: `user${n}@bench.example` } : {}),
      active: true,
      roles: ['Sales Rep'],
      office_ids: [101],
      surveys: 0,
      appointments: 0
    })
  }
  return out
}

export async function startOktaPeer (opts: OktaPeerOptions): Promise<OktaPeer> {
  const patches = new Map<number, Record<string, string>>()
  const statuses = new Map<number, string>()
  let count = 0
  const auth = `SSWS ${opts.token}`
  const server = createServer((req, res) => {
    count++
    const answer = (status: number, body: unknown): void => {
      const text = JSON.stringify(body)
      const send = (): void => {
        if (res.destroyed) return
        // Okta sends its limit on every answer; without it the service's Okta limiter assumes the
        // lowest org's 100 a minute. A limit no bench reaches keeps the peer unlimited.
        res.writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          'x-rate-limit-limit': '1000000',
          'x-rate-limit-remaining': '999999',
          'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + 60)
        })
        res.end(text)
      }
      if ((opts.latencyMs ?? 0) > 0) setTimeout(send, opts.latencyMs)
      else send()
    }
    const notFound = (): void => answer(404, { errorCode: 'E0000007', errorSummary: 'Not found: Resource not found', errorCauses: [] })
    if (req.headers.authorization !== auth) return answer(401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorCauses: [] })
    // The service's credential check lists one user; an empty page proves the token works.
    if (/^\/api\/v1\/users(?:\?.*)?$/.test(req.url ?? '')) return answer(200, [])
    const m = /^\/api\/v1\/users\/00ub(\d+)(\/groups)?(?:\?.*)?$/.exec(req.url ?? '')
    const n = m === null ? -1 : Number(m[1])
    if (m === null || n >= opts.users) return notFound()
    if (m[2] === '/groups') return answer(200, GROUPS.map((g) => ({ id: g.id, objectClass: ['okta:user_group'], type: 'OKTA_GROUP', profile: { name: g.name, description: null } })))
    return answer(200, {
      id: oktaId(n),
      status: statuses.get(n) ?? 'ACTIVE',
      created: '2024-01-02T03:04:05.000Z',
      lastUpdated: '2024-01-02T03:04:05.000Z',
      profile: profile(n, opts.withEmail, patches.get(n)),
      credentials: { provider: { type: 'OKTA', name: 'OKTA' } }
    })
  })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    change: (n, patch) => { patches.set(n, { ...patches.get(n), ...patch }) },
    setStatus: (n, status) => { statuses.set(n, status) },
    requests: () => count,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    }
  }
}
