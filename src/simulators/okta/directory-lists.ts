/**
 * The local Okta directory's list routes, as reconciliation reads them: GET /api/v1/users with
 * `limit`, `after` and `filter` (lastUpdated gt/ge/lt/le, status eq, joined by `and`), GET
 * /api/v1/groups (`q` is a name prefix) and GET /api/v1/groups/{id}/users. Pages are in id order,
 * `after` is the last id of the previous page (opaque to clients) and the next page is only ever
 * named by a `Link: <…>; rel="next"` header, as Okta does. Like Okta's docs warn, the plain list
 * and a lastUpdated filter leave DEPROVISIONED users out: ask with status eq "DEPROVISIONED".
 */
import type { DirectoryStore, StoredUser } from './directory-store.js'

export type Send = (status: number, body: unknown, extra?: Record<string, string>) => void
export type Fail = (status: number, summary?: string, code?: string) => void

const CLAUSE = /^(lastUpdated|status) (gt|ge|lt|le|eq) "([^"]*)"$/

/** A user filter as a predicate, or undefined when Okta would refuse it (400 E0000031). */
export function parseFilter (filter: string): ((u: StoredUser) => boolean) | undefined {
  const tests: Array<(u: StoredUser) => boolean> = []
  let usesLastUpdated = false
  for (const clause of filter.trim().split(/\s+and\s+/i)) {
    const m = CLAUSE.exec(clause.trim())
    if (m === null) return undefined
    const [, attr, op, value] = m as unknown as [string, string, string, string]
    if (attr === 'status') {
      if (op !== 'eq') return undefined
      tests.push((u) => u.status === value)
      continue
    }
    const at = Date.parse(value)
    if (Number.isNaN(at) || op === 'eq') return undefined
    usesLastUpdated = true
    const cmp: Record<string, (a: number) => boolean> = { gt: (a) => a > at, ge: (a) => a >= at, lt: (a) => a < at, le: (a) => a <= at }
    const f = cmp[op] as (a: number) => boolean
    tests.push((u) => f(Date.parse(u.lastUpdated)))
  }
  return (u) => (!usesLastUpdated || u.status !== 'DEPROVISIONED') && tests.every((f) => f(u))
}

/** One page of `all` after the cursor, with the Link header that names this page and the next. */
function paged<T extends { id: string }> (url: URL, all: T[], max: number, send: Send, row: (v: T) => unknown): void {
  const limit = Math.min(Number.parseInt(url.searchParams.get('limit') ?? '', 10) || max, max)
  const after = url.searchParams.get('after')
  const rest = after === null ? all : all.filter((v) => v.id > after)
  const page = rest.slice(0, limit)
  const self = new URL(url.href)
  const links = [`<${self.href}>; rel="self"`]
  const last = page.at(-1)
  if (last !== undefined && rest.length > page.length) {
    const next = new URL(url.href)
    next.searchParams.set('limit', String(limit))
    next.searchParams.set('after', last.id)
    links.push(`<${next.href}>; rel="next"`)
  }
  send(200, page.map(row), { link: links.join(', ') })
}

export interface ListRows {
  user: (u: StoredUser) => unknown
  group: (g: { id: string, name: string }) => unknown
}

/** Answers a list route and returns true, or returns false when the path is not one. */
export function routeLists (store: DirectoryStore, method: string, url: URL, send: Send, fail: Fail, rows: ListRows): boolean {
  if (method !== 'GET') return false
  const path = url.pathname.replace(/\/$/, '')
  if (path === '/api/v1/users') {
    const filter = url.searchParams.get('filter')
    // Okta's unfiltered list leaves DEPROVISIONED users out too.
    const test = filter === null ? (u: StoredUser) => u.status !== 'DEPROVISIONED' : parseFilter(filter)
    if (test === undefined) { fail(400, 'Invalid search criteria.', 'E0000031'); return true }
    paged(url, store.users().filter(test), 200, send, rows.user)
    return true
  }
  if (path === '/api/v1/groups') {
    const q = url.searchParams.get('q')?.toLowerCase()
    paged(url, store.groups().filter((g) => q === undefined || g.name.toLowerCase().startsWith(q)), 10_000, send, rows.group)
    return true
  }
  const m = /^\/api\/v1\/groups\/([^/]+)\/users$/.exec(path)
  if (m === null) return false
  const id = decodeURIComponent(m[1] ?? '')
  if (store.group(id) === undefined) { fail(404, `Not found: Resource not found: ${id} (UserGroup)`); return true }
  paged(url, store.users().filter((u) => u.groups.includes(id)), 1000, send, rows.user)
  return true
}
