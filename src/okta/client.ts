/**
 * Okta Users API client: the user as it is now and its groups, and the lists reconciliation reads
 * (list.ts). The worker asks Okta instead of
 * trusting event payloads, so what is applied is always the current state. The exchange itself is
 * the shared core (src/http); this file is Okta's protocol: paths, the SSWS header, Link paging,
 * Okta's error bodies and which answers are worth retrying. Every call waits for the shared Okta
 * limiter (limiter.ts) and tells it what Okta answered. No retries here, BullMQ owns them, except
 * where a pass asks for it (`throttleWaits`): a 429 is then waited out in place.
 */
import type { Dispatcher } from 'undici'
import { UpstreamError } from '../errors.js'
import { idSegment } from '../sync/user-id.js'
import type { OktaGroup, OktaUser } from '../mapping/types.js'
import { isObject } from '../http/body.js'
import { usePool } from '../http/dispatcher.js'
import { answerError, isSuccess, noAnswerError, unexpectedAnswer } from '../http/errors.js'
import { exchange, type Answer } from '../http/exchange.js'
import { followPages, nextLink } from '../http/link-header.js'
import { askedWaitMs } from '../http/rate-headers.js'
import { waitOutThrottling } from '../http/throttle-wait.js'
import { createOktaLists, type OktaLists } from './list.js'
import { reportCall, waitForSlot, type OktaLimiter } from './limiter.js'
import { oktaFamily } from './rate-family.js'

export type { OktaPage } from './list.js'

export interface OktaClientOptions {
  /** The org URL, e.g. https://example.okta.com. */
  baseUrl: string
  /** An API token, sent as `SSWS <token>`. */
  token: string
  /** Defaults to an Agent owned (and closed) by this client. */
  dispatcher?: Dispatcher
  /** Whole-request timeout; default 10 s. */
  timeoutMs?: number
  /** The shared Okta limiter (limiter.ts); without one, calls go unpaced (tests of the protocol). */
  limiter?: OktaLimiter
  /** How long a call may wait for the limiter before it gives up with OKTA_RATE_LIMITED; default 2 s. */
  maxWaitMs?: number
  /**
   * How many 429s in a row a call waits out itself (default 0: a job's retries are BullMQ's).
   * A pass is one long job whose pages would all be read again: it waits where it is.
   */
  throttleWaits?: number
}

export interface OktaClient extends OktaLists {
  /** The user, or null when Okta says it does not exist (deleted). */
  getUser: (id: string) => Promise<OktaUser | null>
  /** Every group the user is in, across all pages. */
  listUserGroups: (id: string) => Promise<OktaGroup[]>
  /** One user of the first page: proves the token may read users (src/sync/credentials.ts). */
  checkAccess: () => Promise<void>
  close: () => Promise<void>
}

const PAGE_LIMIT = 200 // Okta's maximum for this endpoint
const MAX_PAGES = 1000
const unexpected = (answer: Answer | undefined, what: string): UpstreamError => unexpectedAnswer('OKTA_HTTP', 'Okta', answer, what)

export function createOktaClient (opts: OktaClientOptions): OktaClient {
  const origin = new URL(opts.baseUrl).origin
  const pool = usePool(opts.dispatcher)
  const timeoutMs = opts.timeoutMs ?? 10_000
  const usersUrl = (id: string): string => `${origin}/api/v1/users/${idSegment(id)}`

  async function once (url: string, what: string): Promise<Answer> {
    const family = oktaFamily('GET', new URL(url).pathname)
    const ticket = opts.limiter === undefined ? 0 : await waitForSlot(opts.limiter, family, opts.maxWaitMs ?? 2000, what)
    const r = await exchange({
      method: 'GET', url, headers: { authorization: `SSWS ${opts.token}` }, dispatcher: pool.dispatcher, timeoutMs, secrets: [opts.token]
    })
    if (opts.limiter !== undefined) await reportCall(opts.limiter, family, ticket, r.ok ? r.answer : undefined)
    if (!r.ok) throw noAnswerError('OKTA_UNAVAILABLE', `no answer from Okta ${what} (${r.noAnswer.reason})`, r.noAnswer, true)
    if (isSuccess(r.answer)) return r.answer
    throw toError(r.answer, what)
  }

  const get = async (url: string, what: string): Promise<Answer> => await waitOutThrottling(async () => await once(url, what), opts.throttleWaits ?? 0)

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
      await followPages(`${usersUrl(id)}/groups?limit=${PAGE_LIMIT}`, MAX_PAGES, () => unexpected(undefined, `${what}: the pages do not end`), async (url) => {
        const answer = await get(url, what).catch((err: unknown) => {
          // Deleted between getUser and this call: retrying will find the user gone.
          if (err instanceof UpstreamError && err.status === 404) {
            throw new UpstreamError('OKTA_HTTP', 'the Okta user disappeared while reading its groups', {
              status: 404, headers: err.headers, body: err.body, transient: true, cause: err
            })
          }
          throw err
        })
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
        return next
      })
      return groups
    },

    async checkAccess () { await get(`${origin}/api/v1/users?limit=1`, 'for GET users') },

    ...createOktaLists(get, origin),
    close: pool.close
  }
}

function toError (answer: Answer, what: string): UpstreamError {
  const { status } = answer
  const okta = oktaError(answer.body)
  if (status === 429) {
    const wait = askedWaitMs(answer.headers)
    // At least a second: a reset that has just passed must not turn into a hot loop.
    return answerError('OKTA_RATE_LIMITED', `Okta rate limit reached ${what}`, answer, {
      transient: true, retryAfterMs: wait === undefined ? undefined : Math.max(1000, wait)
    })
  }
  if (status >= 500) return answerError('OKTA_UNAVAILABLE', `Okta answered ${status} ${what}${okta}`, answer, { transient: true })
  if (status === 401 || status === 403) {
    return answerError('OKTA_HTTP', `Okta refused the API token ${what} (${status}${okta}): check ` +
      'OKTA_API_TOKEN and that its admin role may read users and groups', answer, { transient: false })
  }
  return answerError('OKTA_HTTP', `Okta answered ${status} ${what}${okta}`, answer, { transient: false })
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
