/**
 * A whole service for one test: a private Redis, the Enerflo sandbox and an Okta directory on
 * local ports, and the app built with a config that points at them. Secrets are generated here.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { parseMapping, type Mapping } from '../../src/mapping/mapping-file.js'
import { createEnerfloSandbox, type EnerfloSandbox, type SandboxUser } from '../../src/simulators/enerflo/sandbox.js'
import { createOktaDirectory, type DirectoryUser, type DirectoryGroup, type OktaDirectory } from '../../src/simulators/okta/directory.js'
import { startRedis, type TestRedis } from './redis.js'
import { GROUPS, MAPPING, enerfloUsers, oktaUsers } from './fixtures.js'

export const secret = (): string => randomBytes(18).toString('base64url')

export interface Harness {
  app: FastifyInstance
  config: Config
  redis: TestRedis
  enerflo: EnerfloSandbox
  directory: OktaDirectory
  webhookSecret: string
  /** Authorization header for /status and /ops/* (OPS_TOKEN, unless the test's env overrides it). */
  ops: Record<string, string>
  /** Builds another app (another process, in effect) on the same Redis and peers. */
  buildAnother: (env?: Record<string, string>) => Promise<FastifyInstance>
}

export interface HarnessOptions {
  env?: Record<string, string>
  /** Passed to buildApp (default: no logger); a test that reads log lines gives pino options with a stream. */
  logger?: Record<string, unknown>
  enerfloUsers?: SandboxUser[]
  oktaUsers?: DirectoryUser[]
  groups?: DirectoryGroup[]
  mapping?: unknown
  rateLimit?: { max: number, windowMs: number }
  /** The Okta directory's org limit per endpoint family and window (default 600 a minute). */
  oktaRateLimit?: { limit: number, windowMs: number }
  /** Do not start the workers' processing until the test says so. */
  role?: 'all' | 'api' | 'worker'
  /** Extra redis-server arguments (persistence settings). */
  redisArgs?: string[]
}

export function mappingOf (json: unknown): Mapping {
  const parsed = parseMapping(json)
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'))
  return parsed.mapping
}

export async function startHarness (t: { teardown: (fn: () => unknown) => void }, opts: HarnessOptions = {}): Promise<Harness> {
  const redis = await startRedis(t, opts.redisArgs)
  const apiKey = secret()
  const oktaToken = secret()
  const webhookSecret = secret()
  const opsToken = secret()
  const enerflo = createEnerfloSandbox({ apiKey, users: opts.enerfloUsers ?? enerfloUsers(), offices: [101, 102, 103], ...(opts.rateLimit !== undefined ? { rateLimit: opts.rateLimit } : {}) })
  const directory = createOktaDirectory({
    token: oktaToken, users: opts.oktaUsers ?? oktaUsers(), groups: opts.groups ?? GROUPS,
    ...(opts.oktaRateLimit !== undefined ? { rateLimit: opts.oktaRateLimit.limit, rateWindowMs: opts.oktaRateLimit.windowMs } : {})
  })
  const enerfloUrl = await enerflo.listen(0, '127.0.0.1')
  const directoryUrl = await directory.listen(0, '127.0.0.1')
  const mapping = mappingOf(opts.mapping ?? MAPPING)
  const baseEnv: Record<string, string> = {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'test',
    ENERFLO_BASE_URL: enerfloUrl,
    ENERFLO_API_KEY: apiKey,
    ENERFLO_TIMEOUT_MS: '1000',
    OKTA_ORG_URL: directoryUrl,
    OKTA_API_TOKEN: oktaToken,
    OKTA_WEBHOOK_SECRET: webhookSecret,
    OPS_TOKEN: opsToken,
    SERVICE_ROLE: opts.role ?? 'all',
    LOG_LEVEL: 'silent',
    ...(opts.rateLimit !== undefined ? { ENERFLO_RATE_LIMIT_MAX: String(opts.rateLimit.max), ENERFLO_RATE_LIMIT_WINDOW_MS: String(opts.rateLimit.windowMs) } : {}),
    ...opts.env
  }
  const apps: FastifyInstance[] = []
  const build = async (env: Record<string, string> = {}): Promise<FastifyInstance> => {
    const config = loadConfig({ ...baseEnv, ...env })
    const app = await buildApp({ config, mapping, logger: opts.logger ?? false })
    await app.ready()
    // The start-up credential checks run in the background; tests that count Enerflo calls or
    // budget start once they are done, so the count does not depend on a race.
    if (app.hasDecorator('credentials')) await app.credentials.idle()
    apps.push(app)
    return app
  }
  const app = await build()
  t.teardown(async () => {
    for (const a of apps.reverse()) await a.close()
    await enerflo.close()
    await directory.close()
  })
  const config = loadConfig(baseEnv)
  return { app, config, redis, enerflo, directory, webhookSecret, ops: { authorization: `Bearer ${config.OPS_TOKEN ?? ''}` }, buildAnother: build }
}

let seq = 0
/** One Okta Event Hook delivery, as Okta sends it (minified on the wire). */
export function delivery (events: Array<{ type: string, userId?: string | null, uuid?: string, extraTargets?: boolean }>): Record<string, unknown> {
  return {
    eventType: 'com.okta.event_hook',
    eventTypeVersion: '1.0',
    cloudEventsVersion: '0.1',
    source: 'https://example.okta.com/api/v1/eventHooks/whotest',
    eventId: `delivery-${++seq}`,
    eventTime: new Date().toISOString(),
    contentType: 'application/json',
    data: {
      events: events.map((e) => ({
        uuid: e.uuid ?? `evt-${++seq}-${Math.random().toString(36).slice(2)}`,
        published: new Date().toISOString(),
        eventType: e.type,
        version: '0',
        displayMessage: e.type,
        severity: 'INFO',
        actor: null,
        outcome: { result: 'Success', reason: null },
        debugContext: null,
        target: e.userId === null
          ? null
          : [
              ...(e.extraTargets === true ? [{ id: '00gsomething', type: 'UserGroup', alternateId: 'g', displayName: 'G', detailEntry: null }] : []),
              ...(e.userId !== undefined ? [{ id: e.userId, type: 'User', alternateId: 'someone@example.com', displayName: 'Someone', detailEntry: null }] : [])
            ]
      }))
    }
  }
}
