/**
 * What the SCIM conformance suite shares: an app with SCIM on (the test harness, real Redis, the
 * Enerflo simulator), a client that sends SCIM requests the way a provisioning client does, and
 * the checks RFC 7644 asks of every answer (the Error schema with a string status, the
 * ListResponse envelope). Written from RFC 7643/7644, not copied from any suite.
 */
import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.js'
import { nextAddress } from '../security/corpus.js'

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type Body = Record<string, unknown>

export interface Answer {
  status: number
  headers: Record<string, unknown>
  body: Body
  raw: string
}

export interface Scim {
  h: Harness
  token: string
  /** Sends one request with the token (unless `headers` overrides authorization). */
  send: (method: Method, path: string, payload?: unknown, headers?: Record<string, string>) => Promise<Answer>
  /** POSTs a user and returns its id (fails the test if the create is refused). */
  createUser: (t: Test, userName: string, extra?: Body) => Promise<string>
  createGroup: (t: Test, displayName: string, members?: string[]) => Promise<string>
}

export const newToken = (): string => randomBytes(24).toString('hex')

export async function startScim (t: Test, opts: HarnessOptions = {}): Promise<Scim> {
  const token = newToken()
  const h = await startHarness(t, { role: 'api', oktaUsers: [], ...opts, env: { SCIM_TOKEN: token, ...opts.env } })
  const send = async (method: Method, path: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await h.app.inject({
      method,
      url: `/scim/v2${path}`,
      // A fresh client address each time, so the failed-authentication limiter never answers.
      remoteAddress: nextAddress(),
      headers: { authorization: `Bearer ${token}`, ...(payload !== undefined && { 'content-type': 'application/scim+json' }), ...headers },
      ...(payload !== undefined && { payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload) })
    })
    let body: Body = {}
    if (res.body !== '') {
      try { body = res.json() } catch { body = { unparsed: res.body } }
    }
    return { status: res.statusCode, headers: res.headers, body, raw: res.body }
  }
  const createUser = async (t: Test, userName: string, extra: Body = {}): Promise<string> => {
    const res = await send('POST', '/Users', { schemas: [USER], userName, emails: [{ value: userName, type: 'work', primary: true }], ...extra })
    t.equal(res.status, 201, `created ${userName} (${res.raw.slice(0, 200)})`)
    return res.body['id'] as string
  }
  const createGroup = async (t: Test, displayName: string, members: string[] = []): Promise<string> => {
    const res = await send('POST', '/Groups', { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) })
    t.equal(res.status, 201, `created group ${displayName} (${res.raw.slice(0, 200)})`)
    return res.body['id'] as string
  }
  return { h, token, send, createUser, createGroup }
}

/** RFC 7644 §3.12: the Error schema, `status` as a string, the scimType when one applies. */
export function isScimError (t: Test, res: Answer, status: number, scimType?: string, what = ''): void {
  const label = `${what}${what === '' ? '' : ': '}${status}${scimType === undefined ? '' : ` ${scimType}`}`
  t.equal(res.status, status, `${label} (got ${res.status} ${res.raw.slice(0, 200)})`)
  t.match(String(res.headers['content-type']), /^application\/scim\+json/, `${label}: application/scim+json`)
  t.same(res.body['schemas'], [ERROR], `${label}: the Error schema`)
  t.equal(res.body['status'], String(status), `${label}: status is the string "${status}"`)
  t.type(res.body['detail'], 'string', `${label}: a detail`)
  if (scimType !== undefined) t.equal(res.body['scimType'], scimType, `${label}: scimType ${scimType}`)
}

/** RFC 7644 §3.4.2: the ListResponse envelope; returns the resources. */
export function isList (t: Test, res: Answer, total: number, what = ''): Body[] {
  t.equal(res.status, 200, `${what}: 200 (${res.raw.slice(0, 200)})`)
  t.same(res.body['schemas'], [LIST], `${what}: ListResponse`)
  t.equal(res.body['totalResults'], total, `${what}: totalResults ${total}`)
  const resources = res.body['Resources']
  t.ok(Array.isArray(resources), `${what}: Resources is an array`)
  t.equal(res.body['itemsPerPage'], (resources as unknown[]).length, `${what}: itemsPerPage counts the page`)
  t.type(res.body['startIndex'], 'number', `${what}: startIndex is a number`)
  return resources as Body[]
}

export const q = (filter: string): string => `filter=${encodeURIComponent(filter)}`

export const patchOf = (...ops: Body[]): Body => ({ schemas: [PATCH], Operations: ops })
