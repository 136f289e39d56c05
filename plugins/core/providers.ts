/**
 * The identity providers this instance is configured for, as ProviderSources, and the Enerflo
 * client. Shared by the workers and by the operator's preview route, so both see a user the same
 * way. Add a provider here: one entry in `providers`, its client closed on close.
 */
import fp from 'fastify-plugin'
import { createEnerfloClient, type EnerfloClient } from '../../src/enerflo/client.js'
import { createOktaClient } from '../../src/okta/client.js'
import { createOktaLimiter, type OktaLimiter } from '../../src/okta/limiter.js'
import { createOktaSource } from '../../src/sync/okta-source.js'
import type { ProviderSource } from '../../src/sync/provider.js'
import type { Source } from '../../queues/sync-queue.js'

declare module 'fastify' {
  interface FastifyInstance {
    providers: Partial<Record<Source, ProviderSource>>
    enerflo: EnerfloClient
    /** Okta's pace for every caller in every process (src/okta/limiter.ts). */
    oktaLimiter: OktaLimiter
  }
}

export default fp(async (app) => {
  const { config } = app
  const enerflo = createEnerfloClient({
    baseUrl: config.ENERFLO_BASE_URL, apiKey: config.ENERFLO_API_KEY ?? '', timeoutMs: config.ENERFLO_TIMEOUT_MS
  })
  const providers: Partial<Record<Source, ProviderSource>> = {}
  const closers: Array<() => Promise<void>> = [async () => await enerflo.close()]
  const oktaLimiter = createOktaLimiter(app.redis, { prefix: config.QUEUE_PREFIX, fraction: config.OKTA_RATE_LIMIT_FRACTION })
  app.decorate('oktaLimiter', oktaLimiter)
  if (config.okta !== undefined) {
    const okta = createOktaClient({ baseUrl: config.okta.orgUrl, token: config.okta.apiToken, limiter: oktaLimiter })
    closers.push(async () => await okta.close())
    providers.okta = createOktaSource(okta, app.mapping)
  }
  app.decorate('providers', providers)
  app.decorate('enerflo', enerflo)
  // Runs after the workers' onClose (hooks run in reverse order of registration), so no job is
  // left holding a closed client.
  app.addHook('onClose', async () => {
    for (const close of closers) await close()
  })
}, { name: 'providers', dependencies: ['sync-services'] })
