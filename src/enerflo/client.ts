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
import { DEFAULT_ROLE_NAMES } from '../mapping/roles.js'
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
  close (): Promise<void>
}

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

/** Laravel-style `{ message, errors: { field: [msg] } }`, read defensively. */
function reasons (body: unknown): { message: string | undefined, errors: Array<[string, string]> } {
  if (body === null || typeof body !== 'object') return { message: typeof body === 'string' && body !== '' ? body : undefined, errors: [] }
  const b = body as { message?: unknown, error?: unknown, errors?: unknown }
  const message = typeof b.message === 'string' ? b.message : typeof b.error === 'string' ? b.error : undefined
  const errors: Array<[string, string]> = []
  const add = (field: string, v: unknown): void => {
    for (const m of Array.isArray(v) ? v : [v]) if (typeof m === 'string') errors.push([field, m.slice(0, 300)])
  }
  if (Array.isArray(b.errors)) add('', b.errors)
  else if (b.errors !== null && typeof b.errors === 'object') for (const [f, v] of Object.entries(b.errors)) add(f, v)
  return { message: message?.slice(0, 300), errors }
}

/** One sentence per thing the operator must fix, from what Enerflo said and what we sent. */
export function describeRejection (status: number, body: unknown, sent: EnerfloUpdateBody): string {
  const { message, errors } = reasons(body)
  const id = sent.id
  const all = [message ?? '', ...errors.map(([, m]) => m)].join(' ')
  if (status === 404 || errors.some(([f]) => f === 'id') || /user\b.*not found|selected id is invalid|no query results/i.test(all)) {
    return `Enerflo has no user with id ${id}: the stored link or the identity attribute points at a user Enerflo does not have; ` +
      'fix the Enerflo user id at the identity provider (or clear the stored link)'
  }
  const out: string[] = []
  for (const [field, m] of errors.length > 0 ? errors : [['', message ?? ''] as [string, string]]) {
    if (/survey|appointment|attributed|reassign/i.test(m)) {
      const role = DEFAULT_ROLE_NAMES.find((r) => m.toLowerCase().includes(r.toLowerCase()))
      out.push(`Enerflo refused to remove the ${role ?? 'Sales Rep or Setter'} role from user ${id}: surveys or appointments are still attributed to the user in that role; ` +
        'reassign them in Enerflo first, then retry this user')
    } else if (field === 'email' || /email has already been taken/i.test(m)) {
      out.push(/taken/i.test(m)
        ? `Enerflo says the email ${sent.email ?? '(unknown)'} is already taken by another user; free it in Enerflo (it may belong to another user, another company or a deleted user) or change the email at the identity provider`
        : `Enerflo rejected the email of user ${id}: ${m}`)
    } else if (field === 'phone') {
      out.push(`Enerflo rejected the phone of user ${id}: ${m}; Enerflo takes a 10-digit number, fix it at the identity provider`)
    } else if (field === 'manager_email') {
      out.push(`Enerflo rejected manager_email ${sent.manager_email ?? ''} for user ${id}: ${m}; the manager must be an Enerflo user with that email`)
    } else if (field === 'roles') {
      out.push(`Enerflo rejected the roles of user ${id}: ${m}; use Enerflo Role Names (not slugs) in the mapping file`)
    } else if (field === 'office_ids') {
      out.push(`Enerflo rejected office_ids of user ${id}: ${m}; check the office ids in the mapping file`)
    } else if (field !== '') {
      out.push(`Enerflo rejected ${field} of user ${id}: ${m}`)
    }
  }
  return out.length > 0
    ? out.join('. ')
    : `Enerflo rejected the update of user ${id} (HTTP ${status}): ${message ?? 'no reason given'}`
}

export function createEnerfloClient (opts: EnerfloClientOptions): EnerfloClient {
  const timeoutMs = opts.timeoutMs ?? 10_000
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/api/v3/users`
  // Shorter than the idle timeout of the servers in front of Enerflo, so we never reuse a socket
  // they are closing.
  const pool = usePool(opts.dispatcher, { keepAliveTimeout: 4_000 })

  async function updateUser (body: EnerfloUpdateBody): Promise<EnerfloUpdateResult> {
    const r = await exchange({
      method: 'PUT',
      url,
      headers: { 'api-key': opts.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher: pool.dispatcher,
      timeoutMs,
      // Defence in depth: nothing Enerflo echoes back may carry the key into logs or /status.
      secrets: [opts.apiKey],
      maxTextLength: BODY_TEXT_LIMIT
    })
    if (!r.ok) throw exchangeFailed(r.noAnswer, timeoutMs)
    const answer = r.answer
    const { status, headers } = answer
    if (status === 429) {
      const wait = rateLimitedForMs(headers)
      throw answerError('ENERFLO_RATE_LIMITED', `Enerflo rate limit reached (HTTP 429); it asks to wait ${Math.ceil(wait / 1000)} s`, answer, {
        transient: true, retryAfterMs: wait
      })
    }
    const refusal = refusalOf(answer, body)
    if (refusal !== undefined) throw refusal
    return { status, rateLimitRemaining: rateLimitRemaining(headers), rateLimitResetMs: rateLimitResetMs(headers), body: answer.body }
  }

  return { updateUser, close: pool.close }
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
