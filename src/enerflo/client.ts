/**
 * The Enerflo client: one call, "Update a User" (PUT /api/v3/users), over undici with keep-alive.
 * It never retries (BullMQ owns retries); it turns every failure into one UpstreamError whose
 * code says what the worker should do (ENERFLO_RATE_LIMITED: pause; ENERFLO_UNAVAILABLE: back off
 * and retry; ENERFLO_REJECTED: stop and tell an operator why) and reports the rate-limit headers
 * of every answer so the worker can spend Enerflo's 300/min budget deliberately.
 */
import { Agent, request, type Dispatcher } from 'undici'
import { UpstreamError } from '../errors.js'
import type { EnerfloUpdateBody } from '../mapping/types.js'
import { DEFAULT_ROLE_NAMES } from '../mapping/roles.js'
import { flattenHeaders, rateLimitRemaining, rateLimitResetMs, rateLimitedForMs } from './rate-headers.js'
import { parseBody } from '../http-body.js'

export interface EnerfloClientOptions {
  baseUrl: string
  apiKey: string
  /** When absent the client owns a keep-alive Agent and close() closes it. */
  dispatcher?: Dispatcher
  /** Headers and body timeouts; default 10000. */
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

const BODY_TEXT_LIMIT = 500

/** JSON when it parses (Enerflo's 429 and 5xx pages are HTML), else the text, cut short. */

/** Errors that mean our call was malformed, not that Enerflo or the network failed. */
const OUR_FAULT = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_INVALID_RETURN_VALUE', 'ERR_INVALID_URL', 'ERR_INVALID_ARG_TYPE'])

function exchangeFailed (err: unknown, timeoutMs: number): UpstreamError {
  const code = (err as { code?: unknown } | null)?.code
  const name = err instanceof Error ? err.name : 'Error'
  const what = typeof code === 'string' ? code : name
  if (typeof code === 'string' && OUR_FAULT.has(code)) {
    return new UpstreamError('ENERFLO_HTTP', `Could not send the request to Enerflo (${what}); check ENERFLO_BASE_URL`, { status: 0, transient: false, cause: err })
  }
  const timedOut = /TIMEOUT/i.test(what)
  const message = timedOut
    ? `Enerflo did not answer within ${timeoutMs} ms (${what})`
    : `Could not reach Enerflo (${what}${err instanceof Error && err.message !== '' ? `: ${err.message}` : ''})`
  return new UpstreamError('ENERFLO_UNAVAILABLE', message, { status: 0, transient: true, cause: err })
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
  const owned = opts.dispatcher === undefined
    ? new Agent({ keepAliveTimeout: 4_000, connect: { timeout: timeoutMs } })
    : undefined
  const dispatcher: Dispatcher = opts.dispatcher ?? (owned as Agent)
  // Defence in depth: nothing Enerflo echoes back may carry the key into logs or /status.
  const scrub = (s: string): string => opts.apiKey.length >= 4 ? s.split(opts.apiKey).join('[redacted]') : s
  const scrubBody = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v)
    const json = JSON.stringify(v)
    return json !== undefined && scrub(json) !== json ? JSON.parse(scrub(json)) : v
  }

  async function updateUser (body: EnerfloUpdateBody): Promise<EnerfloUpdateResult> {
    let res: Dispatcher.ResponseData
    let text: string
    try {
      res = await request(url, {
        method: 'PUT',
        dispatcher,
        headers: { 'api-key': opts.apiKey, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs
      })
    } catch (err) {
      throw exchangeFailed(err, timeoutMs)
    }
    const headers = flattenHeaders(res.headers)
    try {
      // Read every body, even ones we throw away: an unread body pins the keep-alive socket.
      text = await res.body.text()
    } catch (err) {
      throw exchangeFailed(err, timeoutMs)
    }
    const status = res.statusCode
    const parsed = scrubBody(parseBody(text, BODY_TEXT_LIMIT))
    const fail = (code: 'ENERFLO_UNAVAILABLE' | 'ENERFLO_REJECTED' | 'ENERFLO_HTTP', message: string, transient: boolean): UpstreamError =>
      new UpstreamError(code, scrub(message), { status, headers, body: parsed, transient })

    if (status === 429) {
      const wait = rateLimitedForMs(headers)
      throw new UpstreamError('ENERFLO_RATE_LIMITED', `Enerflo rate limit reached (HTTP 429); it asks to wait ${Math.ceil(wait / 1000)} s`, {
        status, headers, body: parsed, transient: true, retryAfterMs: wait
      })
    }
    if (status >= 500) throw fail('ENERFLO_UNAVAILABLE', `Enerflo failed on its side (HTTP ${status}); worth retrying later`, true)
    if (status === 401 || status === 403) {
      throw fail('ENERFLO_REJECTED', `Enerflo refused the API key (HTTP ${status}); check ENERFLO_API_KEY`, false)
    }
    if (status >= 300 && status < 400) {
      throw fail('ENERFLO_HTTP', `Enerflo answered HTTP ${status}${headers.location === undefined ? '' : ` (to ${headers.location})`}; check ENERFLO_BASE_URL`, false)
    }
    const refused = status >= 400 ||
      (parsed !== null && typeof parsed === 'object' && (parsed as { success?: unknown }).success === false)
    if (refused) {
      // A manager who is not in Enerflo yet is often a new hire being synced at the same moment:
      // worth the usual retries before it becomes a dead letter.
      const onlyManager = reasons(parsed).errors.length > 0 && reasons(parsed).errors.every(([f]) => f === 'manager_email')
      throw fail('ENERFLO_REJECTED', describeRejection(status, parsed, body), onlyManager)
    }

    return { status, rateLimitRemaining: rateLimitRemaining(headers), rateLimitResetMs: rateLimitResetMs(headers), body: parsed }
  }

  return {
    updateUser,
    async close () {
      if (owned !== undefined) await owned.close()
    }
  }
}
