/**
 * App-only access tokens for Graph (OAuth 2.0 client credentials against
 * `{login}/{tenant}/oauth2/v2.0/token`). One token serves every concurrent job: it is cached until
 * shortly before it expires, and callers that arrive while it is being fetched share that request.
 */
import type { Dispatcher } from 'undici'
import { UpstreamError } from '../errors.js'
import { isObject, send } from './http.js'

export interface GraphCredentials {
  tenantId: string
  clientId: string
  clientSecret: string
  /** https://login.microsoftonline.com, or a local stand-in. */
  loginUrl: string
}

export interface TokenSource {
  get: () => Promise<string>
  /** Forget the cached token (Graph said it is no longer valid). */
  invalidate: (token: string) => void
}

// Renew this long before expiry so a token never runs out in the middle of a job's calls.
const EARLY_MS = 5 * 60_000

export function createTokenSource (opts: { credentials: GraphCredentials, apiUrl: string, dispatcher: Dispatcher, timeoutMs: number, now?: () => number }): TokenSource {
  const { credentials: c } = opts
  const now = opts.now ?? Date.now
  const url = `${c.loginUrl.replace(/\/+$/, '')}/${encodeURIComponent(c.tenantId)}/oauth2/v2.0/token`
  // The resource's own origin + /.default: every application permission granted to the app.
  const scope = `${new URL(opts.apiUrl).origin}/.default`
  let cached: { token: string, renewAt: number } | undefined
  let pending: Promise<string> | undefined

  async function fetchToken (): Promise<string> {
    const body = new URLSearchParams({ client_id: c.clientId, client_secret: c.clientSecret, scope, grant_type: 'client_credentials' }).toString()
    const started = now()
    const answer = await send({
      method: 'POST', url, body, what: 'for the access token', headers: { 'content-type': 'application/x-www-form-urlencoded' }
    }, { dispatcher: opts.dispatcher, timeoutMs: opts.timeoutMs, secrets: [c.clientSecret] }).catch((err: unknown) => {
      if (err instanceof UpstreamError && err.code === 'GRAPH_HTTP') {
        // invalid_client, unauthorized_client …: a wrong secret or tenant will not fix itself.
        throw new UpstreamError('GRAPH_HTTP', `${err.message.replace(/^Graph/, 'the Entra login endpoint')} (check GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET)`, {
          status: err.status, headers: err.headers, transient: false, cause: err
        })
      }
      throw err
    })
    const b = answer.body
    const token = isObject(b) ? b['access_token'] : undefined
    const expiresIn = isObject(b) ? Number(b['expires_in']) : NaN
    if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn)) {
      throw new UpstreamError('GRAPH_HTTP', 'unexpected answer from the Entra login endpoint (no access_token)', { status: answer.status, transient: true })
    }
    // A short-lived token (tests, odd tenants) is renewed at half its life rather than at once.
    const lifeMs = expiresIn * 1000
    cached = { token, renewAt: started + Math.max(lifeMs / 2, lifeMs - EARLY_MS) }
    return token
  }

  return {
    async get () {
      if (cached !== undefined && now() < cached.renewAt) return cached.token
      pending ??= fetchToken().finally(() => { pending = undefined })
      return await pending
    },
    invalidate (token) {
      if (cached?.token === token) cached = undefined
    }
  }
}
