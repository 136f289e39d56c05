/**
 * The Graph part of the environment: the variables (spread into src/config.ts's schema) and the
 * checks that need more than one of them. Kept here so the Graph rules live beside Graph code and
 * config.ts only collects.
 */
import { Type, type Static } from '@sinclair/typebox'

const Str = Type.String({ minLength: 1 })
const Url = Type.String({ minLength: 1, pattern: '^https?://' })

export const GraphEnvProperties = {
  GRAPH_TENANT_ID: Type.Optional(Str),
  GRAPH_CLIENT_ID: Type.Optional(Str),
  GRAPH_CLIENT_SECRET: Type.Optional(Str),
  GRAPH_CLIENT_STATE: Type.Optional(Str),
  GRAPH_CLIENT_STATE_PREVIOUS: Type.Optional(Str),
  GRAPH_API_URL: Type.String({ pattern: '^https?://', default: 'https://graph.microsoft.com' }),
  GRAPH_LOGIN_URL: Type.String({ pattern: '^https?://', default: 'https://login.microsoftonline.com' }),
  GRAPH_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  GRAPH_SUBSCRIPTION_CHECK_MS: Type.Integer({ minimum: 200, default: 3_600_000 }),
  PUBLIC_URL: Type.Optional(Url)
}

export const GRAPH_SECRET_NAMES = ['GRAPH_CLIENT_SECRET', 'GRAPH_CLIENT_STATE', 'GRAPH_CLIENT_STATE_PREVIOUS']
export const GRAPH_INTEGER_NAMES = ['GRAPH_TIMEOUT_MS', 'GRAPH_SUBSCRIPTION_CHECK_MS']

export const GraphEnvSchema = Type.Object(GraphEnvProperties)
export type GraphEnv = Static<typeof GraphEnvSchema>

export interface GraphConfig {
  tenantId: string
  clientId: string
  clientSecret: string
  apiUrl: string
  loginUrl: string
  /** The current client state first, then the previous one during a rotation. */
  clientStates: string[]
  /** Where Graph reaches us; without it no subscription is kept (notifications still accepted). */
  publicUrl: string | undefined
  timeoutMs: number
  checkEveryMs: number
}

// Graph refuses a subscription whose clientState is longer than 128 characters.
const CLIENT_STATE_MAX = 128

/** The Graph config, or undefined when Graph is off, plus every problem found. */
export function readGraphConfig (env: GraphEnv): { graph: GraphConfig | undefined, problems: string[] } {
  const problems: string[] = []
  const parts = { GRAPH_TENANT_ID: env.GRAPH_TENANT_ID, GRAPH_CLIENT_ID: env.GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET: env.GRAPH_CLIENT_SECRET }
  const set = Object.values(parts).filter((v) => v !== undefined).length
  if (set > 0 && set < 3) problems.push('GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET must be set together')
  const on = set === 3
  if (on && env.GRAPH_CLIENT_STATE === undefined) {
    problems.push('GRAPH_CLIENT_STATE must be set when Graph is configured (every notification must carry it)')
  }
  for (const name of ['GRAPH_CLIENT_STATE', 'GRAPH_CLIENT_STATE_PREVIOUS'] as const) {
    const v = env[name]
    if (v !== undefined && (v.length < 16 || v.length > CLIENT_STATE_MAX)) {
      problems.push(`${name}: must be 16 to ${CLIENT_STATE_MAX} characters (got ${v.length})`)
    }
  }
  if (env.PUBLIC_URL !== undefined) {
    const url = URL.canParse(env.PUBLIC_URL) ? new URL(env.PUBLIC_URL) : undefined
    const local = url?.hostname === 'localhost' || url?.hostname === '127.0.0.1' || url?.hostname === '[::1]'
    if (url === undefined) problems.push('PUBLIC_URL: not a URL')
    // Graph only delivers to HTTPS; plain http is allowed on this machine for local runs and tests.
    else if (url.protocol !== 'https:' && !local) problems.push('PUBLIC_URL: Graph only delivers to https:// URLs')
  }
  if (!on || env.GRAPH_CLIENT_STATE === undefined) return { graph: undefined, problems }
  const trim = (u: string): string => u.replace(/\/+$/, '')
  return {
    problems,
    graph: {
      tenantId: env.GRAPH_TENANT_ID as string,
      clientId: env.GRAPH_CLIENT_ID as string,
      clientSecret: env.GRAPH_CLIENT_SECRET as string,
      apiUrl: trim(env.GRAPH_API_URL),
      loginUrl: trim(env.GRAPH_LOGIN_URL),
      clientStates: [env.GRAPH_CLIENT_STATE, env.GRAPH_CLIENT_STATE_PREVIOUS].filter((s): s is string => s !== undefined),
      publicUrl: env.PUBLIC_URL === undefined ? undefined : trim(env.PUBLIC_URL),
      timeoutMs: env.GRAPH_TIMEOUT_MS,
      checkEveryMs: env.GRAPH_SUBSCRIPTION_CHECK_MS
    }
  }
}
