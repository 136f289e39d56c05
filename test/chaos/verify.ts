/**
 * The chaos run's judgement: what each provider says now (read over HTTP from the local Okta and
 * Graph, mapped by the service's own functions), compared field by field with what the Enerflo
 * sandbox holds, and what the sandbox's request log says about overlapping writes.
 */
import { request } from 'undici'
import { mapOktaUser } from '../../src/mapping/okta.js'
import { graphSelect, mapGraphUser, type GraphUserData } from '../../src/mapping/graph.js'
import type { Mapping } from '../../src/mapping/mapping-file.js'
import type { EnerfloUserFields, OktaGroup, OktaUser } from '../../src/mapping/types.js'
import type { SandboxRequest, SandboxUser } from '../../src/simulators/enerflo/sandbox.js'
import type { Person } from './world.js'

export const keyOf = (p: Person): string => `${p.source}:${p.id}`

async function getJson (url: string, headers: Record<string, string>): Promise<{ status: number, headers: Record<string, unknown>, body: unknown }> {
  const res = await request(url, { headers })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) as unknown }
}

/** GET from the local Okta, waiting out its own rate limit (it allows 600 a minute). */
async function okta (url: string, token: string): Promise<unknown> {
  const deadline = Date.now() + 70_000
  for (;;) {
    const res = await getJson(url, { authorization: `SSWS ${token}` })
    if (res.status === 200) return res.body
    if (res.status !== 429 || Date.now() > deadline) throw new Error(`Okta answered ${res.status} for ${url}`)
    const reset = Number(res.headers['x-rate-limit-reset']) * 1000
    await new Promise((resolve) => setTimeout(resolve, Math.max(200, Math.min(reset - Date.now() + 200, 61_000))))
  }
}

export interface ProviderEndpoints {
  okta: { url: string, token: string }
  graph: { url: string, tenantId: string, clientId: string, clientSecret: string }
}

async function graphToken (g: ProviderEndpoints['graph']): Promise<string> {
  const res = await request(`${g.url}/${g.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: g.clientId, client_secret: g.clientSecret, scope: 'https://graph.microsoft.com/.default' }).toString()
  })
  const body = await res.body.json() as { access_token?: string }
  if (body.access_token === undefined) throw new Error(`no Graph token (${res.statusCode})`)
  return body.access_token
}

/** What Enerflo should hold for each person, from the provider's state now. */
export async function providerTruth (people: Person[], mapping: Mapping, ends: ProviderEndpoints): Promise<Map<string, EnerfloUserFields>> {
  const out = new Map<string, EnerfloUserFields>()
  const token = await graphToken(ends.graph)
  const auth = { authorization: `Bearer ${token}` }
  const select = [...new Set(['id', ...graphSelect(mapping)])].join(',')
  const one = async (p: Person): Promise<void> => {
    if (p.source === 'okta') {
      const user = await okta(`${ends.okta.url}/api/v1/users/${p.id}`, ends.okta.token) as OktaUser
      const groups = await okta(`${ends.okta.url}/api/v1/users/${p.id}/groups?limit=200`, ends.okta.token) as OktaGroup[]
      out.set(keyOf(p), mapOktaUser(user, groups, mapping).desired)
      return
    }
    const base = `${ends.graph.url}/v1.0/users/${p.id}`
    const [user, manager, groups] = await Promise.all([
      getJson(`${base}?$select=${select}`, auth),
      getJson(`${base}/manager?$select=mail,userPrincipalName`, auth),
      getJson(`${base}/transitiveMemberOf/microsoft.graph.group?$select=displayName&$top=999&$count=true`, { ...auth, consistencylevel: 'eventual' })
    ])
    if (user.status !== 200 || groups.status !== 200) throw new Error(`Graph answered ${user.status}/${groups.status} for ${p.id}`)
    const m = manager.status === 200 ? manager.body as { mail: string | null, userPrincipalName: string | null } : null
    const names = (groups.body as { value: Array<{ displayName: string }> }).value.map((g) => g.displayName)
    out.set(keyOf(p), mapGraphUser(user.body as GraphUserData, m, names, mapping).desired)
  }
  const queue = [...people]
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let p = queue.shift(); p !== undefined; p = queue.shift()) await one(p)
  }))
  return out
}

export interface Mismatch { userKey: string, field: string, expected: unknown, actual: unknown, kind: 'lost' | 'stale' }

const same = (field: string, a: unknown, b: unknown): boolean => {
  if (Array.isArray(a) && Array.isArray(b)) {
    const [x, y] = field === 'roles' ? [[...a].sort(), [...b].sort()] : [a, b]
    return x.length === y.length && x.every((v, i) => v === y[i])
  }
  return a === b
}

/**
 * Every field the mapping manages, expected vs held. A wrong value is *stale* when Enerflo had
 * accepted the expected value at some point (an older one overwrote it, or a write the service
 * gave up on landed after it), and *lost* when no accepted PUT ever carried it.
 */
export function compare (people: Person[], truth: Map<string, EnerfloUserFields>, held: SandboxUser[], requests: SandboxRequest[]): Mismatch[] {
  const byId = new Map(held.map((u) => [u.id, u]))
  const accepted = new Map<number, Array<Record<string, unknown>>>()
  for (const r of requests) {
    if (r.userId === undefined || r.status < 200 || r.status > 299) continue
    accepted.set(r.userId, [...accepted.get(r.userId) ?? [], r.body as Record<string, unknown>])
  }
  const out: Mismatch[] = []
  for (const p of people) {
    const key = keyOf(p)
    const want = truth.get(key) ?? {}
    const have = byId.get(p.enerfloId) as Record<string, unknown> | undefined
    for (const [field, expected] of Object.entries(want)) {
      const actual = have?.[field]
      if (same(field, expected, actual)) continue
      const reached = (accepted.get(p.enerfloId) ?? []).some((b) => b[field] !== undefined && same(field, expected, b[field]))
      out.push({ userKey: key, field, expected, actual, kind: reached ? 'stale' : 'lost' })
    }
  }
  return out
}

export interface Overlaps {
  /** Pairs of PUTs for one user whose times overlapped at the sandbox. */
  pairs: number
  /** Of those, pairs whose earlier PUT ran past the client timeout (the client had given up on it). */
  abandoned: number
  users: string[]
  /** PUTs Enerflo applied after the client had given up on them (longer than the timeout). */
  lateApplied: number
  examples: string[]
}

export function overlaps (requests: SandboxRequest[], timeoutMs: number, idToKey: Map<number, string>): Overlaps {
  const byUser = new Map<number, SandboxRequest[]>()
  for (const r of requests) if (r.userId !== undefined) byUser.set(r.userId, [...byUser.get(r.userId) ?? [], r])
  const result: Overlaps = { pairs: 0, abandoned: 0, users: [], lateApplied: 0, examples: [] }
  for (const [id, list] of byUser) {
    list.sort((a, b) => a.at - b.at)
    let found = false
    for (let i = 0; i < list.length; i++) {
      const a = list[i] as SandboxRequest
      if (a.status === 200 && a.durationMs > timeoutMs) result.lateApplied++
      for (let j = i + 1; j < list.length && (list[j] as SandboxRequest).at < a.at + a.durationMs; j++) {
        const b = list[j] as SandboxRequest
        result.pairs++
        if (a.durationMs > timeoutMs && b.at - a.at > timeoutMs) result.abandoned++
        found = true
        if (result.examples.length < 5) {
          result.examples.push(`${idToKey.get(id) ?? id}: PUT at +0 ms took ${a.durationMs} ms (status ${a.status}) and a PUT at +${b.at - a.at} ms took ${b.durationMs} ms (status ${b.status}); bodies ${JSON.stringify(a.body)} / ${JSON.stringify(b.body)}`)
        }
      }
    }
    if (found) result.users.push(idToKey.get(id) ?? String(id))
  }
  return result
}

/** Fields whose held value differs from `base`: does this user's Enerflo state differ from before the run? */
export function differs (a: EnerfloUserFields | undefined, b: EnerfloUserFields | undefined): boolean {
  const x = (a ?? {}) as Record<string, unknown>
  const y = (b ?? {}) as Record<string, unknown>
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].some((f) => !same(f, x[f], y[f]))
}
