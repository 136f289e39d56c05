/**
 * Checks every configured credential (src/sync/credentials.ts) once the app is ready, without
 * holding up the listen, then again every few minutes while one fails, and on demand
 * (POST /ops/doctor). Results go to Redis (src/sync/credential-verdicts.ts), so /status, /readyz and
 * the workers of every process see them; a run that finds nothing blocking wakes the held jobs.
 */
import fp from 'fastify-plugin'
import { Agent } from 'undici'
import { createOktaClient } from '../../src/okta/client.js'
import { graphProbe, runChecks, type CredentialCheck, type CredentialName, type Probe } from '../../src/sync/credentials.js'
import { createCredentialVerdicts, type CredentialVerdicts } from '../../src/sync/credential-verdicts.js'

/** While a credential fails, how often it is tried again. */
export const RECHECK_MS = 3 * 60_000

export interface Credentials {
  /** Runs every check now (joining a run already going) and stores the results. */
  check: () => Promise<CredentialCheck[]>
  verdicts: CredentialVerdicts
  /** The credentials this instance is configured with. */
  names: CredentialName[]
  /** The stored results of this instance's credentials; blocking ones first. */
  current: () => Promise<CredentialCheck[]>
  /** Resolves when no run is going (tests wait for the start's run with it). */
  idle: () => Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    credentials: Credentials
  }
}

export default fp(async (app) => {
  const { config } = app
  const verdicts = createCredentialVerdicts(app.redis, config.QUEUE_PREFIX)
  const dispatcher = new Agent({ keepAliveTimeout: 4_000 })
  const okta = config.okta === undefined ? undefined : createOktaClient({ baseUrl: config.okta.orgUrl, token: config.okta.apiToken, dispatcher, limiter: app.oktaLimiter })
  const probes: Probe[] = []
  if (config.okta !== undefined && okta !== undefined) {
    probes.push({ name: 'okta', origin: new URL(config.okta.orgUrl).origin, run: async () => { await okta.checkAccess(); return 'checked' } })
  }
  if (config.graph !== undefined) probes.push(graphProbe(config.graph, dispatcher))
  probes.push({
    name: 'enerflo',
    origin: new URL(config.ENERFLO_BASE_URL).origin,
    async run () {
      // Enerflo's budget is shared with every worker: a check never spends more than its share.
      if (await app.budget.acquire() > 0) return 'skipped'
      await app.enerflo.checkAccess?.()
      return 'checked'
    }
  })
  const names = probes.map((p) => p.name)

  let running: Promise<CredentialCheck[]> | undefined
  let timer: NodeJS.Timeout | undefined
  let closed = false

  async function runOnce (): Promise<CredentialCheck[]> {
    const results = await runChecks(probes)
    for (const r of results.filter((x) => !x.ok)) app.log.warn({ credential: r.name, code: r.code, status: r.status, fix: r.fix }, 'credential check failed')
    try {
      await verdicts.save(results)
      const stored = await current()
      if (!stored.some((r) => r.blocking)) {
        const woken = await verdicts.release(app.syncQueue)
        if (woken > 0) app.log.info({ woken }, 'credentials work again: held jobs run now')
      }
    } catch (err) {
      app.log.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, 'credential check results not stored (Redis)')
    }
    clearTimeout(timer)
    if (!closed && results.some((r) => !r.ok)) timer = setTimeout(() => { void check().catch(() => {}) }, RECHECK_MS).unref()
    return results
  }

  async function check (): Promise<CredentialCheck[]> {
    running ??= runOnce().finally(() => { running = undefined })
    return await running
  }

  async function current (): Promise<CredentialCheck[]> {
    const stored = (await verdicts.all()).filter((r) => names.includes(r.name))
    return stored.sort((a, b) => Number(b.blocking) - Number(a.blocking))
  }

  app.decorate('credentials', { check, verdicts, names, current, idle: async () => { await running?.catch(() => {}) } })
  app.addHook('onReady', async () => {
    // Not awaited: a slow or unreachable provider must not hold up the listen.
    void check().catch((err: unknown) => app.log.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, 'credential check failed to run'))
  })
  app.addHook('onClose', async () => {
    closed = true
    clearTimeout(timer)
    await running?.catch(() => {})
    await okta?.close()
    await dispatcher.close()
  })
}, { name: 'credentials', dependencies: ['sync-services', 'providers'] })
