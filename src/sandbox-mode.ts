/**
 * Sandbox mode: with no Enerflo key and no provider credentials, the process starts a local
 * Enerflo simulator and an Okta-shaped demo directory, both seeded from files in sandbox/, and
 * points the config at them. Nothing real is ever touched; /status says "sandbox".
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Config } from './config.js'
import { createEnerfloSandbox, loadSandboxSeed } from './enerflo/sandbox.js'
import { createOktaDirectory, loadDirectorySeed } from './okta/directory.js'

export interface SandboxRuntime {
  config: Config
  enerfloUrl: string
  directoryUrl: string
  close: () => Promise<void>
}

const secret = (): string => randomBytes(24).toString('base64url')

export async function startSandbox (config: Config): Promise<SandboxRuntime> {
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
  return {
    enerfloUrl,
    directoryUrl,
    config: {
      ...config,
      ENERFLO_BASE_URL: enerfloUrl,
      ENERFLO_API_KEY: apiKey,
      okta: { orgUrl: directoryUrl, apiToken: oktaToken },
      OKTA_WEBHOOK_SECRET: webhookSecret,
      oktaWebhookSecrets: [webhookSecret],
      OPS_TOKEN: opsToken
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
    `  Demo webhook secret (header "${rt.config.OKTA_WEBHOOK_HEADER}"): ${s}`,
    `  Ops token (for /status, /ops and the CLI): ${rt.config.OPS_TOKEN ?? ''}`,
    '',
    'Send a demo Okta Event Hook delivery:',
    `  curl -sS -X POST ${publicBase}/webhooks/okta -H 'content-type: application/json' -H '${rt.config.OKTA_WEBHOOK_HEADER}: ${s}' \\`,
    `    -d '${delivery}'`,
    'Then watch it apply (enerflo.lastSuccess names the user and the fields sent):',
    `  curl -sS -H 'authorization: Bearer ${rt.config.OPS_TOKEN ?? ''}' ${publicBase}/status`,
    `or open ${publicBase}/ops#token=${rt.config.OPS_TOKEN ?? ''} in a browser.`,
    'and see the simulated Enerflo user (1002) now:',
    `  curl -sS -H 'api-key: ${rt.config.ENERFLO_API_KEY ?? ''}' ${rt.enerfloUrl}/__sandbox/users`,
    ''
  ].join('\n')
}
