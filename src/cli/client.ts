/**
 * The CLI's HTTP client for a running instance: one undici Agent per run (closed at the end, so
 * no keep-alive socket holds the process open), the ops token as a Bearer header, and every
 * failure turned into one sentence an operator can act on.
 */
import { Agent, request } from 'undici'
import { CliError, ServiceRefusal } from './types.js'

export interface CallOptions {
  query?: Record<string, string | number | undefined>
  /** JSON-encoded unless `contentType` says the body is already text. */
  body?: unknown
  contentType?: string
  /** Ask for this media type instead of JSON; the answer is then returned as text. */
  accept?: string
}

export interface Api {
  readonly url: string
  call: <T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts?: CallOptions) => Promise<T>
  close: () => Promise<void>
}

const TIMEOUT_MS = 30_000
const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'cannot resolve its host name',
  EAI_AGAIN: 'cannot resolve its host name',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_HEADERS_TIMEOUT: `no answer within ${TIMEOUT_MS / 1000} s`,
  UND_ERR_BODY_TIMEOUT: `no answer within ${TIMEOUT_MS / 1000} s`,
  UND_ERR_SOCKET: 'the connection failed'
}

function errorCode (err: unknown): string | undefined {
  const e = err as { code?: unknown, cause?: { code?: unknown } } | undefined
  const code = e?.code ?? e?.cause?.code
  return typeof code === 'string' ? code : undefined
}

interface ErrorBody { code?: unknown, message?: unknown }

/** The sentence for a non-2xx answer; `route` is `METHOD /path` for messages. */
export function describeFailure (status: number, body: unknown, route: string): string {
  const b = (typeof body === 'object' && body !== null ? body : {}) as ErrorBody
  const message = typeof b.message === 'string' ? b.message : typeof body === 'string' && body.length > 0 ? body.slice(0, 200) : undefined
  if (status === 401 || status === 403) return 'wrong or missing ops token (--token or OPS_TOKEN)'
  if (status === 404) {
    if (b.code === 'OPS_OFF' || /operator routes are off/i.test(message ?? '')) return 'operator routes are off: set OPS_TOKEN on the service'
    if (b.code === 'NOT_FOUND' && /^no route/i.test(message ?? '')) {
      return `operator routes are off: set OPS_TOKEN on the service (it has no ${route}; if OPS_TOKEN is set, the service is older than this CLI)`
    }
    return `not found: ${message ?? route}`
  }
  if (status === 400) return `the service refused the request: ${message ?? 'bad request'}`
  if (status === 503) return `the service is unavailable: ${message ?? 'try again shortly'}`
  return `the service answered ${status}${typeof b.code === 'string' ? ` ${b.code}` : ''}: ${message ?? 'no details'}`
}

export function createApi (opts: { url: string, token: string | undefined }): Api {
  const base = opts.url.replace(/\/+$/, '')
  const agent = new Agent({ connectTimeout: 10_000, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS })
  return {
    url: base,
    async call<T> (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, o: CallOptions = {}): Promise<T> {
      const qs = new URLSearchParams()
      for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) qs.set(k, String(v))
      const target = base + path + (qs.size > 0 ? `?${qs.toString()}` : '')
      // Explicit JSON, so the service never mistakes the CLI for a browser that wants the page.
      const headers: Record<string, string> = { accept: o.accept ?? 'application/json', 'user-agent': 'enerflo-user-sync-cli' }
      if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`
      let payload: string | undefined
      if (o.body !== undefined) {
        headers['content-type'] = o.contentType ?? 'application/json'
        payload = o.contentType === undefined ? JSON.stringify(o.body) : String(o.body)
      }
      let res
      try {
        res = await request(target, { method, headers, body: payload ?? null, dispatcher: agent })
      } catch (err) {
        const code = errorCode(err)
        if (code === 'ECONNREFUSED') throw new CliError(`no service at ${base}: is it running? (another address: --url <url> or ENERFLO_SYNC_URL)`)
        const why = code !== undefined ? NETWORK_CODES[code] : undefined
        throw new CliError(`could not reach ${base}: ${why ?? (err as Error).message}`)
      }
      const text = await res.body.text()
      const type = String(res.headers['content-type'] ?? '')
      let body: unknown = text
      if (type.includes('json') && text.length > 0) {
        try { body = JSON.parse(text) } catch { throw new CliError(`the service at ${base} sent malformed JSON (${res.statusCode})`) }
      }
      if (res.statusCode >= 400) throw new ServiceRefusal(describeFailure(res.statusCode, body, `${method} ${path}`), res.statusCode, body)
      if (res.statusCode !== 204 && typeof body === 'string' && o.accept === undefined) {
        throw new CliError(`unexpected answer from ${base}${path}: ${res.statusCode} ${type || 'without a content type'} (is this enerflo-user-sync?)`)
      }
      return (res.statusCode === 204 ? null : body) as T
    },
    async close (): Promise<void> { await agent.close() }
  }
}
