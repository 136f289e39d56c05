/**
 * Graph's side of every exchange (its API and its login endpoint): the shared core (src/http) sends
 * and reads; this turns anything but a 2xx into one UpstreamError as Graph means it. Throttling
 * (429, and 503/504 that carry Retry-After) becomes GRAPH_RATE_LIMITED with the wait Graph asked
 * for, so the worker can wait without spending an attempt. Also Graph's @odata.nextLink paging.
 */
import type { Dispatcher } from 'undici'
import type { UpstreamError } from '../errors.js'
import { isObject } from '../http/body.js'
import { answerError, isSuccess, noAnswerError, unexpectedAnswer } from '../http/errors.js'
import { exchange, type Answer, type ExchangeRequest } from '../http/exchange.js'
import { followPages } from '../http/link-header.js'
import { retryAfterMs } from '../http/rate-headers.js'

export { isObject }
export type { Answer }

export type Call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', pathOrUrl: string, what: string, body?: unknown, headers?: Record<string, string>) => Promise<Answer>

export interface GraphRequest extends Pick<ExchangeRequest, 'method' | 'url' | 'headers' | 'body'> {
  /** Says what was being done, for messages: "for GET user". */
  what: string
}

/** When Graph throttles without saying how long, wait this long (its usual hint is seconds). */
export const DEFAULT_THROTTLE_MS = 10_000

export async function send (x: GraphRequest, opts: { dispatcher: Dispatcher, timeoutMs: number, secrets: string[] }): Promise<Answer> {
  const { what, ...req } = x
  const r = await exchange({ ...req, ...opts })
  if (!r.ok) throw noAnswerError('GRAPH_UNAVAILABLE', `no answer from Graph ${what} (${r.noAnswer.reason})`, r.noAnswer, true)
  if (isSuccess(r.answer)) return r.answer
  throw toError(r.answer, what)
}

export function toError (answer: Answer, what: string): UpstreamError {
  const { status } = answer
  const detail = graphError(answer.body)
  const wait = throttleWaitMs(answer.headers)
  if (status === 429 || ((status === 503 || status === 504) && wait !== undefined)) {
    return answerError('GRAPH_RATE_LIMITED', `Graph is throttling (${status}) ${what}`, answer, { transient: true, retryAfterMs: wait ?? DEFAULT_THROTTLE_MS })
  }
  if (status >= 500) return answerError('GRAPH_UNAVAILABLE', `Graph answered ${status} ${what}${detail}`, answer, { transient: true })
  if (status === 401 || status === 403) {
    return answerError('GRAPH_HTTP', `Graph refused the app ${what} (${status}${detail}): check GRAPH_TENANT_ID, ` +
      'GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and that the app has User.Read.All and GroupMember.Read.All (admin consent)', answer, { transient: false })
  }
  return answerError('GRAPH_HTTP', `Graph answered ${status} ${what}${detail}`, answer, { transient: false })
}

export const unexpected = (answer: Answer | undefined, what: string): UpstreamError => unexpectedAnswer('GRAPH_HTTP', 'Graph', answer, what)

/** Graph's own error code (`Request_ResourceNotFound` …), or the login endpoint's (`invalid_client`). */
export function errorCode (body: unknown): string | undefined {
  if (!isObject(body)) return undefined
  const error = body['error']
  if (typeof error === 'string') return error
  return isObject(error) && typeof error['code'] === 'string' ? error['code'] : undefined
}

/** ": code message" from a Graph or login error body, or "". */
function graphError (body: unknown): string {
  if (!isObject(body)) return ''
  const error = body['error']
  const message = isObject(error) ? error['message'] : body['error_description']
  const text = [errorCode(body), typeof message === 'string' ? message.split(/\r?\n/)[0] : undefined].filter((s) => s !== undefined).join(' ')
  return text === '' ? '' : `: ${text}`
}

/** Graph's Retry-After, at least a second (no hot loop) and at most an hour (no stuck queue). */
export function throttleWaitMs (headers: Record<string, string>, now?: number): number | undefined {
  const ms = retryAfterMs(headers, now)
  return ms === undefined ? undefined : Math.min(3_600_000, Math.max(1000, ms))
}

/** Follows @odata.nextLink to the end, handing each row of each page's `value` to `row`. */
export async function everyPage (call: Call, first: string, what: string, maxPages: number, row: (v: unknown) => void, headers: Record<string, string> = {}): Promise<void> {
  await followPages(first, maxPages, () => unexpected(undefined, `${what}: the pages do not end`), async (url) => {
    const answer = await call('GET', url, what, undefined, headers)
    const body = answer.body
    if (!isObject(body) || !Array.isArray(body['value'])) throw unexpected(answer, what)
    for (const v of body['value'] as unknown[]) row(v)
    const link = body['@odata.nextLink']
    return typeof link === 'string' && link !== '' ? link : undefined
  })
}
