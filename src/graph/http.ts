/**
 * One exchange with Microsoft Graph (or its login endpoint): send, read the whole body on every
 * path so the connection goes back to the pool, and turn anything but a 2xx into one UpstreamError.
 * Throttling (429, and 503/504 that carry Retry-After) becomes GRAPH_RATE_LIMITED with the wait
 * Graph asked for, so the worker can wait without spending an attempt. No retries here.
 */
import { request, type Dispatcher } from 'undici'
import { UpstreamError } from '../errors.js'
import { flattenHeaders as flatten, isObject, parseBody } from '../http-body.js'

export { isObject }

export interface Answer { status: number, headers: Record<string, string>, body: unknown }

export interface Exchange {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  url: string
  headers: Record<string, string>
  body?: string
  /** Says what was being done, for messages: "for GET user". */
  what: string
}

/** When Graph throttles without saying how long, wait this long (its usual hint is seconds). */
export const DEFAULT_THROTTLE_MS = 10_000

export async function exchange (x: Exchange, opts: { dispatcher: Dispatcher | undefined, timeoutMs: number, secrets: string[] }): Promise<Answer> {
  let answer: Answer
  try {
    const res = await request(x.url, {
      method: x.method,
      headers: { accept: 'application/json', 'user-agent': 'enerflo-user-sync', ...x.headers },
      ...(x.body !== undefined && { body: x.body }),
      ...(opts.dispatcher !== undefined && { dispatcher: opts.dispatcher }),
      signal: AbortSignal.timeout(opts.timeoutMs)
    })
    const text = await res.body.text()
    answer = { status: res.statusCode, headers: flatten(res.headers), body: parseBody(text) }
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err as Error).name
    throw new UpstreamError('GRAPH_UNAVAILABLE', `no answer from Graph ${x.what} (${reason})`, { status: 0, transient: true, cause: err })
  }
  if (answer.status >= 200 && answer.status < 300) return answer
  throw toError(answer, x.what, opts.secrets)
}

export function toError ({ status, headers, body }: Answer, what: string, secrets: string[] = []): UpstreamError {
  const init = { status, headers, body }
  const detail = redact(graphError(body), secrets)
  const wait = retryAfterMs(headers['retry-after'])
  if (status === 429 || ((status === 503 || status === 504) && wait !== undefined)) {
    return new UpstreamError('GRAPH_RATE_LIMITED', `Graph is throttling (${status}) ${what}`, {
      ...init, transient: true, retryAfterMs: wait ?? DEFAULT_THROTTLE_MS
    })
  }
  if (status >= 500) return new UpstreamError('GRAPH_UNAVAILABLE', `Graph answered ${status} ${what}${detail}`, { ...init, transient: true })
  if (status === 401 || status === 403) {
    return new UpstreamError('GRAPH_HTTP', `Graph refused the app ${what} (${status}${detail}): check GRAPH_TENANT_ID, ` +
      'GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and that the app has User.Read.All and GroupMember.Read.All (admin consent)', { ...init, transient: false })
  }
  return new UpstreamError('GRAPH_HTTP', `Graph answered ${status} ${what}${detail}`, { ...init, transient: false })
}

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

/** Retry-After in seconds or as an HTTP date; at least a second, at most an hour. */
export function retryAfterMs (value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const seconds = Number(value)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now
  if (Number.isNaN(ms)) return undefined
  return Math.min(3_600_000, Math.max(1000, ms))
}

function redact (text: string, secrets: string[]): string {
  return secrets.reduce((t, s) => s === '' ? t : t.replaceAll(s, '[redacted]'), text)
}

