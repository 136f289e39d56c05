/**
 * One exchange with an upstream over undici: send, read the whole body on every path (an unread
 * body pins its keep-alive socket), parse JSON or keep the text, scrub the credentials out of the
 * answer, and turn "no answer" into a typed result instead of a thrown error. One deadline covers
 * connecting, the headers and the body, so a server that trickles its body cannot hold a job.
 * No retries: BullMQ owns them.
 */
import { request, type Dispatcher } from 'undici'
import { flattenHeaders, parseBody } from './body.js'
import { redactHeaders, redactor } from './redact.js'

export interface Answer { status: number, headers: Record<string, string>, body: unknown }

export interface ExchangeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  headers?: Record<string, string>
  body?: string
  dispatcher: Dispatcher
  /** The whole exchange, from connecting to the last byte of the body. */
  timeoutMs: number
  /** Replaced by [redacted] wherever the answer's headers or body echo them. */
  secrets?: readonly string[]
  /** Text that is not JSON (an HTML error page) is cut to this many characters. */
  maxTextLength?: number
}

/**
 * Why there is no answer. `invalid` means our request could not be sent as built (a bad base URL,
 * a header value undici refuses): retrying the same call cannot help.
 */
export type NoAnswerKind = 'timeout' | 'refused' | 'reset' | 'invalid' | 'failed'

export interface NoAnswer {
  kind: NoAnswerKind
  /** The error code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT …) or, without one, the error's name. */
  reason: string
  /** The underlying error's message, for operators ("connect ECONNREFUSED 127.0.0.1:4000"). */
  detail: string
  cause: unknown
}

export type Exchanged = { ok: true, answer: Answer } | { ok: false, noAnswer: NoAnswer }

/**
 * The deadline's abort reason. It carries undici's own codes for the phase that was cut short, so
 * messages and logs read the same as undici's per-phase timeouts do.
 */
class DeadlineError extends Error {
  readonly code: string
  constructor (phase: 'headers' | 'body', ms: number) {
    super(`no ${phase} within ${ms} ms`)
    this.name = 'TimeoutError'
    this.code = phase === 'headers' ? 'UND_ERR_HEADERS_TIMEOUT' : 'UND_ERR_BODY_TIMEOUT'
  }
}

const INVALID = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_INVALID_RETURN_VALUE', 'ERR_INVALID_URL', 'ERR_INVALID_ARG_TYPE'])
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT'])
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_ABORTED'])

function noAnswer (err: unknown): NoAnswer {
  const code = (err as { code?: unknown } | null)?.code
  const name = err instanceof Error ? err.name : 'Error'
  const reason = typeof code === 'string' ? code : name
  const kind: NoAnswerKind = INVALID.has(reason)
    ? 'invalid'
    : TIMEOUT.has(reason) || name === 'TimeoutError'
      ? 'timeout'
      : reason === 'ECONNREFUSED' ? 'refused' : RESET.has(reason) ? 'reset' : 'failed'
  return { kind, reason, detail: err instanceof Error ? err.message : String(err), cause: err }
}

export async function exchange (req: ExchangeRequest): Promise<Exchanged> {
  const deadline = new AbortController()
  let phase: 'headers' | 'body' = 'headers'
  let body: Dispatcher.ResponseData['body'] | undefined
  const timer = setTimeout(() => {
    const reason = new DeadlineError(phase, req.timeoutMs)
    deadline.abort(reason)
    // Once the headers are in, the signal no longer reaches the body: end it here.
    body?.destroy(reason)
  }, req.timeoutMs)
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: { accept: 'application/json', 'user-agent': 'enerflo-user-sync', ...req.headers },
      ...(req.body !== undefined && { body: req.body }),
      dispatcher: req.dispatcher,
      signal: deadline.signal
    })
    phase = 'body'
    body = res.body
    const r = redactor(req.secrets ?? [])
    const text = r.text(await res.body.text())
    const headers = redactHeaders(flattenHeaders(res.headers), r)
    return { ok: true, answer: { status: res.statusCode, headers, body: parseBody(text, req.maxTextLength) } }
  } catch (err) {
    return { ok: false, noAnswer: noAnswer(err) }
  } finally {
    clearTimeout(timer)
  }
}
