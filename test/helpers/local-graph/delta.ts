/**
 * The local Graph's GET /v1.0/users/delta: a first round lists every user with the `$select`ed
 * properties, page by page (`@odata.nextLink`), and ends with an `@odata.deltaLink`; a round from
 * that link lists only users changed since (all selected properties) and removals as
 * `{ id, "@removed": { reason } }` (`deleted` for good, `changed` for out of scope / restorable).
 * Tokens carry the `$select` they were issued for and can be made to expire, as Graph's do after
 * about 7 days: 400 `syncStateNotFound`, or 410 Gone with a Location to start over. Group
 * memberships do not show here, as in Graph unless memberOf is selected. With `manager` in the
 * `$select`, a listed user who has a manager carries `manager@delta: [{ id }]` (Graph sends it when
 * the relationship changed; here every listed row carries it, a superset), and one whose manager
 * was taken away carries the old manager's entry marked `@removed`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { graphError, sendJson } from './http.js'
import { project, type Directory } from './users.js'

export interface DeltaState {
  seq: number
  /** User id → the seq of its last change. */
  changed: Map<string, number>
  /** User id → the manager it had when last listed, to say `@removed` once it is gone. */
  managers?: Map<string, string>
  removed: Map<string, { seq: number, reason: 'deleted' | 'changed' }>
  /** Tokens issued, and how each now answers when it has expired. */
  tokens: Map<string, 'ok' | 'syncStateNotFound' | 'gone'>
}

export const createDeltaState = (ids: Iterable<string>): DeltaState => ({ seq: 1, changed: new Map([...ids].map((id) => [id, 1])), removed: new Map(), tokens: new Map() })

export function touch (d: DeltaState, id: string): void {
  d.changed.set(id, ++d.seq)
  d.removed.delete(id)
}

export function removal (d: DeltaState, id: string, reason: 'deleted' | 'changed'): void {
  d.changed.delete(id)
  d.removed.set(id, { seq: ++d.seq, reason })
}

interface Cursor { from: number, upto: number, skip: number, select: string | null, n?: number }
const encode = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url')
const decode = (s: string): Cursor | undefined => {
  try { return JSON.parse(Buffer.from(s, 'base64url').toString()) as Cursor } catch { return undefined }
}

export function routeDelta (dir: Directory, d: DeltaState, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (req.method !== 'GET' || url.pathname !== '/v1.0/users/delta') return false
  const base = `${url.origin}/v1.0/users/delta`
  let cursor: Cursor | undefined
  const skiptoken = url.searchParams.get('$skiptoken')
  const deltatoken = url.searchParams.get('$deltatoken')
  if (skiptoken !== null) cursor = decode(skiptoken)
  else if (deltatoken !== null) {
    const state = d.tokens.get(deltatoken)
    const token = decode(deltatoken)
    if (state === 'gone') { sendJson(res, 410, graphError('resyncRequired', 'Resync required. Replace any local data with the full set.'), { location: `${base}?$select=${token?.select ?? ''}` }); return true }
    if (state === 'syncStateNotFound') { sendJson(res, 400, graphError('syncStateNotFound', 'The sync state generation is not found.')); return true }
    if (state === undefined || token === undefined) { sendJson(res, 400, graphError('badRequest', 'Invalid delta token.')); return true }
    cursor = { from: token.upto, upto: d.seq, skip: 0, select: token.select }
  } else cursor = { from: 0, upto: d.seq, skip: 0, select: url.searchParams.get('$select') }
  if (cursor === undefined) { sendJson(res, 400, graphError('badRequest', 'Invalid skip token.')); return true }
  const { from, upto, select } = cursor
  const rows: Array<{ id: string, row: Record<string, unknown> }> = []
  for (const [id, seq] of d.changed) {
    const u = dir.users.get(id)
    if (u === undefined || seq <= from || seq > upto) continue
    const { '@odata.context': _context, manager: _manager, ...row } = project(u, select, url.origin)
    if (select?.split(',').map((x) => x.trim()).includes('manager') === true) {
      const managers = d.managers ??= new Map()
      const old = managers.get(id)
      if (u.managerId !== undefined) {
        row['manager@delta'] = [{ '@odata.type': '#microsoft.graph.user', id: u.managerId }]
        managers.set(id, u.managerId)
      } else if (old !== undefined) {
        row['manager@delta'] = [{ '@odata.type': '#microsoft.graph.user', id: old, '@removed': { reason: 'deleted' } }]
        managers.delete(id)
      }
    }
    rows.push({ id, row })
  }
  // A first round knows nothing to remove; later rounds say who left since.
  if (from > 0) for (const [id, r] of d.removed) if (r.seq > from && r.seq <= upto) rows.push({ id, row: { id, '@removed': { reason: r.reason } } })
  rows.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  const page = rows.slice(cursor.skip, cursor.skip + dir.pageSize)
  const body: Record<string, unknown> = { '@odata.context': `${url.origin}/v1.0/$metadata#users`, value: page.map((r) => r.row) }
  if (cursor.skip + dir.pageSize < rows.length) {
    body['@odata.nextLink'] = `${base}?$skiptoken=${encode({ ...cursor, skip: cursor.skip + dir.pageSize })}`
  } else {
    // Graph's tokens are new on every round, even when nothing changed.
    const token = encode({ from: 0, upto, skip: 0, select, n: d.tokens.size })
    d.tokens.set(token, 'ok')
    body['@odata.deltaLink'] = `${base}?$deltatoken=${token}`
  }
  sendJson(res, 200, body)
  return true
}

/** Every token issued so far now answers as Graph does once its sync state has gone. */
export function expireTokens (d: DeltaState, how: 'syncStateNotFound' | 'gone'): void {
  for (const t of d.tokens.keys()) d.tokens.set(t, how)
}
