/**
 * The Enerflo client: one call, "Update a User" (PUT /api/v3/users), over the shared HTTP core
 * (src/http) with keep-alive. It never retries (BullMQ owns retries); it turns every failure into one UpstreamError whose
 * code says what the worker should do (ENERFLO_RATE_LIMITED: pause; ENERFLO_UNAVAILABLE: back off
 * and retry; ENERFLO_REJECTED: stop and tell an operator why) and reports the rate-limit headers
 * of every answer so the worker can spend Enerflo's 300/min budget deliberately.
 */
import type { Dispatcher } from 'undici'
import type { UpstreamError } from '../errors.js'
import type { EnerfloUpdateBody } from '../mapping/types.js'
import { describeRejection, reasons } from './rejection.js'
import { pageFromBody, userFromRow } from './user-rows.js'
import type { DirectoryPage, DirectoryUser } from './directory.js'
import type { RoleSlugTable } from './roles.js'
import type { EnerfloNewUser } from './new-user.js'
import { usePool } from '../http/dispatcher.js'
import { answerError, noAnswerError } from '../http/errors.js'
import { exchange, type Answer, type NoAnswer } from '../http/exchange.js'
import { askedWaitMs, rateLimitRemaining, rateLimitResetMs } from '../http/rate-headers.js'

export interface EnerfloClientOptions {
  baseUrl: string
  apiKey: string
  /** When absent the client owns a keep-alive Agent and close() closes it. */
  dispatcher?: Dispatcher
  /** The whole exchange, from connecting to the last byte of the body; default 10000. */
  timeoutMs?: number
  /** Role slug → Role Name, for reading users (defaults: src/enerflo/roles.ts). */
  roleSlugs?: RoleSlugTable
}

export interface EnerfloUpdateResult {
  status: number
  rateLimitRemaining: number | undefined
  /** Ms from now until the window resets, if the headers say. */
  rateLimitResetMs: number | undefined
  body: unknown
}

export interface EnerfloClient {
  updateUser (body: EnerfloUpdateBody): Promise<EnerfloUpdateResult>
  /** One page of users, active or (status=inactive) inactive, roles read as Role Names. */
  listUsers?: (page: number, status: 'active' | 'inactive') => Promise<DirectoryPage>
  /** One user, or undefined when Enerflo has none with that id. */
  getUser?: (id: number) => Promise<DirectoryUser | undefined>
  /** POST /api/v1/users; the new user's id. */
  addUser?: (body: EnerfloNewUser) => Promise<{ id: number }>
  /** The cheapest read (one row of the first page): proves the key is accepted. */
  checkAccess?: () => Promise<void>
  close (): Promise<void>
}

export { describeRejection } from './rejection.js'

/** Rows a list page asks for: Enerflo's largest page seen in the wild. */
export const PAGE_SIZE = 100

/** Enerflo's 429 and 5xx pages are HTML: keep enough of them to read, not the whole page. */
const BODY_TEXT_LIMIT = 500

/** When a 429 says nothing usable about when to come back: one documented window. */
export const DEFAULT_RETRY_AFTER_MS = 60_000

/** How long a 429 asks us to wait: retry-after, else the window reset, else one window. */
export function rateLimitedForMs (headers: Record<string, string>, now?: number): number {
  return askedWaitMs(headers, now) ?? DEFAULT_RETRY_AFTER_MS
}

function exchangeFailed (n: NoAnswer, timeoutMs: number): UpstreamError {
  if (n.kind === 'invalid') {
    return noAnswerError('ENERFLO_HTTP', `Could not send the request to Enerflo (${n.reason}); check ENERFLO_BASE_URL`, n)
  }
  const message = n.kind === 'timeout'
    ? `Enerflo did not answer within ${timeoutMs} ms (${n.reason})`
    : `Could not reach Enerflo (${n.reason}${n.detail !== '' ? `: ${n.detail}` : ''})`
  return noAnswerError('ENERFLO_UNAVAILABLE', message, n)
}

export function createEnerfloClient (opts: EnerfloClientOptions): EnerfloClient {
  const timeoutMs = opts.timeoutMs ?? 10_000
  // Shorter than the idle timeout of the servers in front of Enerflo, so we never reuse a socket
  // they are closing.
  const pool = usePool(opts.dispatcher, { keepAliveTimeout: 4_000 })

  const origin = opts.baseUrl.replace(/\/+$/, '')

  /** One exchange: every failure becomes one UpstreamError, a 2xx its answer. */
  async function send (method: 'GET' | 'PUT' | 'POST', path: string, body: unknown, sent: EnerfloUpdateBody): Promise<Answer> {
    const r = await exchange({
      method,
      url: `${origin}${path}`,
      headers: { 'api-key': opts.apiKey, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      dispatcher: pool.dispatcher,
      timeoutMs,
      // Defence in depth: nothing Enerflo echoes back may carry the key into logs or /status.
      secrets: [opts.apiKey],
      maxTextLength: BODY_TEXT_LIMIT
    })
    if (!r.ok) throw exchangeFailed(r.noAnswer, timeoutMs)
    const answer = r.answer
    if (answer.status === 429) {
      const wait = rateLimitedForMs(answer.headers)
      throw answerError('ENERFLO_RATE_LIMITED', `Enerflo rate limit reached (HTTP 429); it asks to wait ${Math.ceil(wait / 1000)} s`, answer, {
        transient: true, retryAfterMs: wait
      })
    }
    const refusal = refusalOf(answer, sent)
    if (refusal !== undefined) throw refusal
    return answer
  }

  async function updateUser (body: EnerfloUpdateBody): Promise<EnerfloUpdateResult> {
    const { status, headers, body: reply } = await send('PUT', '/api/v3/users', body, body)
    return { status, rateLimitRemaining: rateLimitRemaining(headers), rateLimitResetMs: rateLimitResetMs(headers), body: reply }
  }

  async function listUsers (page: number, status: 'active' | 'inactive'): Promise<DirectoryPage> {
    const query = `page=${page}&pageSize=${PAGE_SIZE}${status === 'inactive' ? '&status=inactive' : ''}`
    const answer = await send('GET', `/api/v3/users?${query}`, undefined, { id: 0 })
    return pageFromBody(answer.body, PAGE_SIZE, opts.roleSlugs)
  }

  async function getUser (id: number): Promise<DirectoryUser | undefined> {
    try {
      const answer = await send('GET', `/api/v3/users/${id}`, undefined, { id })
      const b = answer.body as { data?: unknown } | null
      return userFromRow(b !== null && typeof b === 'object' && 'data' in b ? b.data : b, opts.roleSlugs)
    } catch (err) {
      if ((err as UpstreamError).status === 404) return undefined
      throw err
    }
  }

  async function addUser (body: EnerfloNewUser): Promise<{ id: number }> {
    const answer = await send('POST', '/api/v1/users', body, { id: 0, email: body.email })
    const b = answer.body as Record<string, unknown> | null
    const raw = b?.['id'] ?? (b?.['data'] as Record<string, unknown> | undefined)?.['id'] ?? (b?.['user'] as Record<string, unknown> | undefined)?.['id']
    const id = Number(raw)
    if (!Number.isSafeInteger(id) || id < 1) throw answerError('ENERFLO_HTTP', 'Enerflo created a user but its answer names no user id; find the user in Enerflo and link it', answer, { transient: false })
    return { id }
  }

  async function checkAccess (): Promise<void> {
    await send('GET', '/api/v3/users?page=1&pageSize=1', undefined, { id: 0 })
  }

  return { updateUser, listUsers, getUser, addUser, checkAccess, close: pool.close }
}

/** Which code a failed answer gets, and whether waiting can help; undefined for a success. */
function refusalOf (answer: Answer, sent: EnerfloUpdateBody): UpstreamError | undefined {
  const { status, headers, body } = answer
  if (status >= 500) return answerError('ENERFLO_UNAVAILABLE', `Enerflo failed on its side (HTTP ${status}); worth retrying later`, answer, { transient: true })
  if (status === 401 || status === 403) {
    return answerError('ENERFLO_REJECTED', `Enerflo refused the API key (HTTP ${status}); check ENERFLO_API_KEY`, answer, { transient: false })
  }
  if (status >= 300 && status < 400) {
    return answerError('ENERFLO_HTTP', `Enerflo answered HTTP ${status}${headers['location'] === undefined ? '' : ` (to ${headers['location']})`}; check ENERFLO_BASE_URL`, answer, { transient: false })
  }
  const refused = status >= 400 || (body !== null && typeof body === 'object' && (body as { success?: unknown }).success === false)
  if (!refused) return undefined
  // A manager who is not in Enerflo yet is often a new hire being synced at the same moment:
  // worth the usual retries before it becomes a dead letter.
  const { errors } = reasons(body)
  const onlyManager = errors.length > 0 && errors.every(([f]) => f === 'manager_email')
  return answerError('ENERFLO_REJECTED', describeRejection(status, body, sent), answer, { transient: onlyManager })
}
