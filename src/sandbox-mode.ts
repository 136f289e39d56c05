/**
 * Sandbox mode: with no Enerflo key and no provider credentials, the process starts a local
 * Enerflo simulator and an Okta-shaped demo directory, both seeded from files in sandbox/, and
 * points the config at them. Nothing real is ever touched; /status says "sandbox".
 *
 * The simulators start from their seed every time, so whatever Redis remembers about them (the
 * state last applied, links, audit, queued jobs) describes a world that no longer exists, and the
 * demo would answer "unchanged". Sandbox mode therefore keeps its keys in a namespace of its own,
 * `<QUEUE_PREFIX>-sandbox`, and empties exactly that namespace at start. A live deployment's keys
 * (plain QUEUE_PREFIX) are never read or deleted, even when a forgotten ENERFLO_API_KEY starts
 * the sandbox against a production Redis.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { connectRedis, scanKeys } from './redis-connect.js'
import type { RedisTopology } from './redis-topology.js'
import { redisAddress } from './redis-address.js'
import type { Config } from './config.js'
import { createEnerfloSandbox, loadSandboxSeed } from './simulators/enerflo/sandbox.js'
import { createOktaDirectory, loadDirectorySeed } from './simulators/okta/directory.js'

export interface SandboxRuntime {
  config: Config
  enerfloUrl: string
  directoryUrl: string
  /** Keys deleted from the sandbox namespace at start; undefined when Redis could not be reached. */
  cleared: number | undefined
  close: () => Promise<void>
}

/** The Redis namespace of sandbox mode: never the live one. */
export const sandboxPrefix = (prefix: string): string => `${prefix}-sandbox`

// SCAN's MATCH is a glob: a prefix holding * ? [ ] or \ must match only itself.
const globEscape = (s: string): string => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`)

/** Deletes every key of the sandbox namespace; the number deleted, or undefined if Redis is unreachable. */
export async function clearSandboxNamespace (topology: RedisTopology, prefix: string): Promise<number | undefined> {
  const redis = connectRedis(topology, 'once')
  redis.on('error', () => { /* reported by the caller as "not cleared" */ })
  try {
    await redis.connect()
    let cleared = 0
    // On a cluster the namespace's keys share the prefix's {hash-tag}, so each batch is one slot.
    await scanKeys(redis, `${globEscape(prefix)}:*`, async (keys) => { cleared += await redis.unlink(...keys) })
    return cleared
  } catch {
    return undefined
  } finally {
    redis.disconnect()
  }
}

// Hex, not base64url: a secret that starts with '-' reads as an option on a command line.
const secret = (): string => randomBytes(24).toString('hex')

export async function startSandbox (config: Config): Promise<SandboxRuntime> {
  const prefix = sandboxPrefix(config.QUEUE_PREFIX)
  const cleared = await clearSandboxNamespace(config.redis, prefix)
  const seedDir = config.SANDBOX_SEED_DIR
  const enerfloSeed = await loadSandboxSeed(join(seedDir, 'enerflo-users.json'))
  const directorySeed = await loadDirectorySeed(join(seedDir, 'okta-directory.json'))
  const apiKey = secret()
  const oktaToken = secret()
  const enerflo = createEnerfloSandbox({
    apiKey,
    users: enerfloSeed.users,
    offices: enerfloSeed.offices,
    rateLimit: { max: config.ENERFLO_RATE_LIMIT_MAX, windowMs: config.ENERFLO_RATE_LIMIT_WINDOW_MS }
  })
  const directory = createOktaDirectory({ token: oktaToken, users: directorySeed.users, groups: directorySeed.groups })
  const enerfloUrl = await enerflo.listen(0, '127.0.0.1')
  const directoryUrl = await directory.listen(0, '127.0.0.1')
  const webhookSecret = config.OKTA_WEBHOOK_SECRET ?? secret()
  // Operator routes need a token; the sandbox makes one up (and prints it) unless one is given.
  const opsToken = config.OPS_TOKEN ?? secret()
  // And a SCIM token, so /scim/v2 can be tried with curl before any identity provider is connected.
  const scimToken = secret()
  return {
    enerfloUrl,
    directoryUrl,
    cleared,
    config: {
      ...config,
      QUEUE_PREFIX: prefix,
      ENERFLO_BASE_URL: enerfloUrl,
      ENERFLO_API_KEY: apiKey,
      okta: { orgUrl: directoryUrl, apiToken: oktaToken },
      OKTA_WEBHOOK_SECRET: webhookSecret,
      oktaWebhookSecrets: [webhookSecret],
      OPS_TOKEN: opsToken,
      SCIM_TOKEN: scimToken,
      scim: { token: scimToken }
    },
    close: async () => {
      await Promise.all([enerflo.close(), directory.close()])
    }
  }
}

/** The ready-to-paste demo that the process prints at start (to stdout, not the log). */
export function sandboxBanner (rt: SandboxRuntime, publicBase: string): string {
  const s = rt.config.OKTA_WEBHOOK_SECRET ?? ''
  const delivery = JSON.stringify({
    eventType: 'com.okta.event_hook',
    eventId: 'demo-delivery-1',
    data: {
      events: [{
        uuid: 'demo-event-1',
        eventType: 'user.account.update_profile',
        published: new Date().toISOString(),
        target: [{ id: '00usampatel000000001', type: 'User', alternateId: 'sam.patel@example.com', displayName: 'Sam Patel' }]
      }]
    }
  })
  return [
    '',
    'enerflo-user-sync is running in SANDBOX mode: a built-in Enerflo simulator and Okta demo directory, nothing real.',
    `  Enerflo simulator: ${rt.enerfloUrl}   Okta demo directory: ${rt.directoryUrl}`,
    `  Okta demo directory token (header "authorization: SSWS <token>", for its API and /__sandbox/ hooks): ${rt.config.okta?.apiToken ?? ''}`,
    `  Demo webhook secret (header "${rt.config.OKTA_WEBHOOK_HEADER}"): ${s}`,
    `  Ops token (for /status, /ops and the CLI): ${rt.config.OPS_TOKEN ?? ''}`,
    `  SCIM token (Bearer, for ${publicBase}/scim/v2): ${rt.config.SCIM_TOKEN ?? ''}`,
    ...(rt.cleared === undefined
      ? [
          `  Redis at ${redisAddress(rt.config.REDIS_URL)} is not reachable yet: deliveries get 503 until it is.`,
          '  Start one (redis-server, or docker compose up -d redis) or set REDIS_URL; the service connects on its own.',
          '  (What Redis remembers of an earlier sandbox run was not cleared, so the demo may answer "unchanged".)'
        ]
      : []),
    '',
    rt.cleared === undefined ? 'Once Redis is up, send a demo Okta Event Hook delivery:' : 'Send a demo Okta Event Hook delivery:',
    `  curl -sS -X POST ${publicBase}/webhooks/okta -H 'content-type: application/json' -H '${rt.config.OKTA_WEBHOOK_HEADER}: ${s}' \\`,
    `    -d '${delivery}'`,
    'Then watch it apply (enerflo.lastSuccess names the user and the fields sent):',
    `  curl -sS -H 'authorization: Bearer ${rt.config.OPS_TOKEN ?? ''}' ${publicBase}/status`,
    `or open ${publicBase}/ops#token=${rt.config.OPS_TOKEN ?? ''} in a browser.`,
    'and see the simulated Enerflo user (1002) now:',
    `  curl -sS -H 'api-key: ${rt.config.ENERFLO_API_KEY ?? ''}' ${rt.enerfloUrl}/__sandbox/users`,
    // This checkout's own build, by path: `npx enerflo-user-sync` outside the checkout would ask
    // the public registry for a package of that name and run a stranger's code with OPS_TOKEN.
    'The operator CLI (this checkout\'s build; never downloads anything):',
    `  node dist/src/cli.js status --url ${publicBase} --token=${rt.config.OPS_TOKEN ?? ''}`,
    ''
  ].join('\n')
}
