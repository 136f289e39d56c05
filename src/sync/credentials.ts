/**
 * Credential checks: one cheap read per configured credential (Okta's API token, the Entra app's
 * secret, the Enerflo API key), each answered as a result an operator can act on: what failed and
 * what to do. Without them a wrong token shows up only when the first event dead-letters.
 * A result is `blocking` when waiting cannot help (refused, wrong URL): events then wait for a fix
 * instead of failing; a timeout or a 5xx is reported but left to the usual retries.
 */
import { UpstreamError } from '../errors.js'
import type { GraphConfig } from '../graph/env.js'
import { errorCode, send } from '../graph/http.js'
import { createTokenSource } from '../graph/token.js'
import type { Dispatcher } from 'undici'

export type CredentialName = 'okta' | 'graph' | 'enerflo'

export interface CredentialCheck {
  name: CredentialName
  ok: boolean
  checkedAt: string
  /** The error code the check got (src/errors.ts), when it failed. */
  code?: string
  /** The HTTP status it got; 0: no answer. */
  status?: number
  /** True while events for this credential must wait: a retry cannot succeed until someone acts. */
  blocking: boolean
  /** What to do (or "nothing to do"). Never carries a secret. */
  fix: string
}

/** One check: resolves when the credential works ('skipped': it could not be tried now), throws when not. */
export interface Probe {
  name: CredentialName
  /** The origin called, for "cannot reach …". */
  origin: string
  run: () => Promise<'checked' | 'skipped'>
}

const OKTA_REFUSED = 'OKTA_API_TOKEN is refused: create a new API token in Okta (Security → API → Tokens) and paste it alone ' +
  '(leave out SSWS); tokens expire after 30 days unused and die with the admin who made them'
const FIXES: Record<CredentialName, { refused: string, forbidden: string, url: string }> = {
  okta: {
    refused: OKTA_REFUSED,
    forbidden: 'OKTA_API_TOKEN may not list users: create the token as an admin whose role can read users and groups (e.g. Read-only Administrator)',
    url: 'check OKTA_ORG_URL: your org\'s address (https://<org>.okta.com, not the -admin console address)'
  },
  graph: {
    refused: 'the Entra app is refused (check GRAPH_CLIENT_SECRET: create a new client secret under App registrations → the app → ' +
      'Certificates & secrets, secrets expire; and check GRAPH_TENANT_ID and GRAPH_CLIENT_ID)',
    forbidden: 'the Entra app may not read users: grant it the application permissions User.Read.All and GroupMember.Read.All with admin consent',
    url: 'check GRAPH_API_URL and GRAPH_LOGIN_URL (https://graph.microsoft.com, https://login.microsoftonline.com)'
  },
  enerflo: {
    refused: 'ENERFLO_API_KEY is refused: copy the company\'s API key from Enerflo again (it is sent as the api-key header, nothing ' +
      'in front of it) or ask Enerflo for a new one, set it and restart',
    forbidden: 'ENERFLO_API_KEY may not read users: ask Enerflo for a key of your company with access to the users API',
    url: 'check ENERFLO_BASE_URL (https://enerflo.io)'
  }
}

const LABELS: Record<CredentialName, { label: string, urlVar: string }> = {
  okta: { label: 'Okta', urlVar: 'OKTA_ORG_URL' },
  graph: { label: 'Entra / Graph', urlVar: 'GRAPH_LOGIN_URL, GRAPH_API_URL' },
  enerflo: { label: 'Enerflo', urlVar: 'ENERFLO_BASE_URL' }
}

/** The result for an error a probe threw. */
export function judge (probe: Probe, err: unknown, at: string): CredentialCheck {
  const base = { name: probe.name, ok: false, checkedAt: at }
  if (!(err instanceof UpstreamError)) {
    return { ...base, code: 'INTERNAL', blocking: false, fix: `the check could not run (${err instanceof Error ? err.message : String(err)}); it runs again in a few minutes` }
  }
  return { ...base, code: err.code, status: err.status, ...advice(probe, err) }
}

function advice (probe: Probe, err: UpstreamError): { blocking: boolean, fix: string } {
  const { status } = err
  const fixes = FIXES[probe.name]
  const { label, urlVar } = LABELS[probe.name]
  // Held back by the service's own Okta limiter (no request was sent) or throttled: not the credential.
  if (err.code.endsWith('_RATE_LIMITED')) return { blocking: false, fix: `${label} is rate limited just now (${err.message}); checked again in a few minutes` }
  if (status === 0 && err.transient) return { blocking: false, fix: `cannot reach ${label} at ${probe.origin}: check the URL (${urlVar}) and the network` }
  if (status === 0) return { blocking: true, fix: `cannot send to ${label} at ${probe.origin}: ${fixes.url}` }
  // Entra's login endpoint says 400 or 401 for a wrong secret, tenant or application id.
  const loginRefused = probe.name === 'graph' && err.message.includes('login endpoint') && status < 500
  if (status === 401 || loginRefused) return { blocking: true, fix: withCode(fixes.refused, err) }
  if (status === 403) return { blocking: true, fix: withCode(fixes.forbidden, err) }
  if (err.transient) return { blocking: false, fix: `${label} answered ${status}: usually passes by itself; checked again in a few minutes` }
  return { blocking: true, fix: `${label} answered ${status}: ${fixes.url}` }
}

/** Graph's own error code (invalid_client …) says which of the three values is wrong. */
function withCode (fix: string, err: UpstreamError): string {
  const cause = err.cause instanceof UpstreamError ? err.cause : err
  const c = errorCode(cause.body)
  return c === undefined ? fix : `${fix} [${c}]`
}

/** Runs every probe; a skipped one (no budget left) is left out, keeping its last verdict. */
export async function runChecks (probes: Probe[], now: () => Date = () => new Date()): Promise<CredentialCheck[]> {
  const results = await Promise.all(probes.map(async (p): Promise<CredentialCheck | undefined> => {
    try {
      if (await p.run() === 'skipped') return undefined
      return { name: p.name, ok: true, checkedAt: now().toISOString(), blocking: false, fix: 'nothing to do' }
    } catch (err) {
      return judge(p, err, now().toISOString())
    }
  }))
  return results.filter((r) => r !== undefined)
}

/**
 * Graph's check: a fresh token (so the secret itself is tried, not a cached token) and one user.
 * Its own token source: the worker's cached token must not hide a secret that stopped working.
 */
export function graphProbe (config: GraphConfig, dispatcher: Dispatcher): Probe {
  const apiOrigin = new URL(config.apiUrl).origin
  return {
    name: 'graph',
    origin: `${new URL(config.loginUrl).origin} and ${apiOrigin}`,
    async run () {
      const credentials = { tenantId: config.tenantId, clientId: config.clientId, clientSecret: config.clientSecret, loginUrl: config.loginUrl }
      const token = await createTokenSource({ credentials, apiUrl: apiOrigin, dispatcher, timeoutMs: config.timeoutMs }).get()
      await send({ method: 'GET', url: `${apiOrigin}/v1.0/users?$top=1&$select=id`, what: 'for GET users', headers: { authorization: `Bearer ${token}` } },
        { dispatcher, timeoutMs: config.timeoutMs, secrets: [token] })
      return 'checked'
    }
  }
}
