/**
 * Okta Users API client: the user as it is now and its groups. The worker asks Okta instead of
 * trusting event payloads, so what is applied is always the current state. No retries here:
 * BullMQ owns them; every failure becomes one UpstreamError that says whether retrying can help.
 */
import { Agent, request, type Dispatcher } from 'undici'
import { UpstreamError } from '../errors.js'
import { idSegment } from '../sync/user-id.js'
import type { OktaGroup, OktaUser } from '../mapping/types.js'
import { flattenHeaders as flatten, isObject, parseBody } from '../http-body.js'

export interface OktaClientOptions {
  /** The org URL, e.g. https://example.okta.com. */
  baseUrl: string
  /** An API token, sent as `SSWS <token>`. */
  token: string
  /** Defaults to an Agent owned (and closed) by this client. */
  dispatcher?: Dispatcher
  /** Whole-request timeout; default 10 s. */
  timeoutMs?: number
}

export interface OktaClient {
  /** The user, or null when Okta says it does not exist (deleted). */
  getUser: (id: string) => Promise<OktaUser | null>
  /** Every group the user is in, across all pages. */
  listUserGroups: (id: string) => Promise<OktaGroup[]>
  close: () => Promise<void>
}

interface Answer { status: number, headers: Record<string, string>, body: unknown }

const PAGE_LIMIT = 200 // Okta's maximum for this endpoint
const MAX_PAGES = 1000

export function createOktaClient (opts: OktaClientOptions): OktaClient {
  const origin = new URL(opts.baseUrl).origin
  const ownAgent = opts.dispatcher === undefined ? new Agent() : undefined
  const dispatcher = opts.dispatcher ?? ownAgent
  const timeoutMs = opts.timeoutMs ?? 10_000
  const usersUrl = (id: string): string => `${origin}/api/v1/users/${idSegment(id)}`

  async function get (url: string, what: string): Promise<Answer> {
    let answer: Answer
    try {
      const res = await request(url, {
        method: 'GET',
        headers: { authorization: `SSWS ${opts.token}`, accept: 'application/json', 'user-agent': 'enerflo-user-sync' },
        ...(dispatcher !== undefined && { dispatcher }),
        signal: AbortSignal.timeout(timeoutMs)
      })
      // Read the whole body on every path so the connection goes back to the pool.
      const text = await res.body.text()
      answer = { status: res.statusCode, headers: flatten(res.headers), body: parseBody(text) }
    } catch (err) {
      const reason = (err as { code?: string }).code ?? (err as Error).name
      throw new UpstreamError('OKTA_UNAVAILABLE', redact(`no answer from Okta ${what} (${reason})`), {
        status: 0, transient: true, cause: err
      })
    }
    if (answer.status >= 200 && answer.status < 300) return answer
    throw toError(answer, what)
  }

  function redact (message: string): string {
    return opts.token === '' ? message : message.replaceAll(opts.token, '[redacted]')
  }

  function toError ({ status, headers, body }: Answer, what: string): UpstreamError {
    const init = { status, headers, body }
    const okta = oktaError(body)
    if (status === 429) {
      return new UpstreamError('OKTA_RATE_LIMITED', `Okta rate limit reached ${what}`, {
        ...init, transient: true, retryAfterMs: retryAfter(headers)
      })
    }
    if (status >= 500) {
      return new UpstreamError('OKTA_UNAVAILABLE', redact(`Okta answered ${status} ${what}${okta}`), { ...init, transient: true })
    }
    if (status === 401 || status === 403) {
      return new UpstreamError('OKTA_HTTP', redact(`Okta refused the API token ${what} (${status}${okta}): check ` +
        'OKTA_API_TOKEN and that its admin role may read users and groups'), { ...init, transient: false })
    }
    return new UpstreamError('OKTA_HTTP', redact(`Okta answered ${status} ${what}${okta}`), { ...init, transient: false })
  }

  return {
    async getUser (id) {
      const what = 'for GET user'
      let answer: Answer
      try {
        answer = await get(usersUrl(id), what)
      } catch (err) {
        // Only Okta's own "not found" means deleted: a 404 from a wrong OKTA_ORG_URL must not
        // deactivate everyone.
        if (err instanceof UpstreamError && err.status === 404 && errorCode(err.body) === 'E0000007') return null
        throw err
      }
      const user = answer.body as Partial<OktaUser> | null
      if (!isObject(user) || typeof user.id !== 'string' || typeof user.status !== 'string' || !isObject(user.profile)) {
        throw unexpected(answer, what)
      }
      return { id: user.id, status: user.status, profile: user.profile }
    },

    async listUserGroups (id) {
      const what = 'for GET user groups'
      const groups: OktaGroup[] = []
      const seen = new Set<string>()
      let url: string | undefined = `${usersUrl(id)}/groups?limit=${PAGE_LIMIT}`
      while (url !== undefined) {
        if (seen.has(url) || seen.size >= MAX_PAGES) throw unexpected(undefined, `${what}: the pages do not end`)
        seen.add(url)
        let answer: Answer
        try {
          answer = await get(url, what)
        } catch (err) {
          // Deleted between getUser and this call: retrying will find the user gone.
          if (err instanceof UpstreamError && err.status === 404) {
            throw new UpstreamError('OKTA_HTTP', `the Okta user disappeared while reading its groups`, {
              status: 404, headers: err.headers, body: err.body, transient: true, cause: err
            })
          }
          throw err
        }
        if (!Array.isArray(answer.body)) throw unexpected(answer, what)
        for (const g of answer.body as unknown[]) {
          const group = g as Partial<OktaGroup> | null
          if (!isObject(group) || typeof group.id !== 'string' || !isObject(group.profile) ||
            typeof group.profile.name !== 'string') throw unexpected(answer, what)
          groups.push(group as OktaGroup)
        }
        const next = nextLink(answer.headers['link'], url)
        // The token goes with every request: never follow a link off the org.
        if (next !== undefined && new URL(next).origin !== origin) throw unexpected(answer, `${what}: the next page is on another host`)
        url = next
      }
      return groups
    },

    async close () {
      await ownAgent?.close()
    }
  }
}

function unexpected (answer: Answer | undefined, what: string): UpstreamError {
  return new UpstreamError('OKTA_HTTP', `unexpected answer from Okta ${what}`, {
    status: answer?.status ?? 0, headers: answer?.headers ?? {}, body: answer?.body, transient: false
  })
}


function errorCode (body: unknown): string | undefined {
  return isObject(body) && typeof body['errorCode'] === 'string' ? body['errorCode'] : undefined
}

/** ": E0000001 Api validation failed (cause; cause)" from Okta's error body, or "". */
function oktaError (body: unknown): string {
  if (!isObject(body)) return ''
  const code = errorCode(body)
  const summary = typeof body['errorSummary'] === 'string' ? body['errorSummary'] : undefined
  const causes = Array.isArray(body['errorCauses'])
    ? body['errorCauses'].map((c: unknown) => isObject(c) ? c['errorSummary'] : undefined).filter((s) => typeof s === 'string')
    : []
  const text = [code, summary].filter((s) => s !== undefined).join(' ')
  return text === '' ? '' : `: ${text}${causes.length > 0 ? ` (${causes.join('; ')})` : ''}`
}

/**
 * Until X-Rate-Limit-Reset (epoch seconds), counted from Okta's own Date header when it sent one
 * so a skewed local clock does not shorten or stretch the wait; at least a second.
 */
function retryAfter (headers: Record<string, string>): number | undefined {
  const reset = Number(headers['x-rate-limit-reset'])
  if (!Number.isFinite(reset) || reset <= 0) return undefined
  const date = Date.parse(headers['date'] ?? '')
  const now = Number.isNaN(date) ? Date.now() : date
  return Math.max(1000, reset * 1000 - now)
}

/** The rel="next" URL of a Link header (RFC 8288), resolved against the current page. */
function nextLink (header: string | undefined, current: string): string | undefined {
  if (header === undefined) return undefined
  for (const value of header.split(/,\s*(?=<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/s.exec(value)
    if (m === null) continue
    const rel = (m[2] ?? '').split(';').map((p) => p.trim()).find((p) => /^rel\s*=/i.test(p))
    const rels = rel?.replace(/^rel\s*=\s*/i, '').replace(/^"|"$/g, '').toLowerCase().split(/\s+/) ?? []
    if (rels.includes('next')) return new URL(m[1] ?? '', current).href
  }
  return undefined
}
