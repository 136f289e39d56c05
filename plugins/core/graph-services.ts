/**
 * Microsoft Graph for this instance, when GRAPH_* is set: the Graph client and its ProviderSource
 * (added to app.providers beside Okta), the subscription queue's producer side (for the lifecycle
 * receiver) and the subscription's state in Redis (for /status and the keeper).
 */
import fp from 'fastify-plugin'
import { Queue } from 'bullmq'
import { createGraphClient, type GraphClient } from '../../src/graph/client.js'
import type { GraphConfig } from '../../src/graph/env.js'
import { createSubscriptionState, type SubscriptionState } from '../../src/graph/subscription-state.js'
import { createGraphSource } from '../../src/sync/graph-source.js'
import { GRAPH_SUBSCRIPTION_QUEUE, type GraphSubscriptionJob } from '../../queues/graph-subscription-queue.js'

export interface GraphServices {
  config: GraphConfig
  client: GraphClient
  queue: Queue<GraphSubscriptionJob>
  state: SubscriptionState
  /** Where Graph sends notifications and lifecycle notifications; undefined without PUBLIC_URL. */
  urls: { notificationUrl: string, lifecycleNotificationUrl: string } | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    graph: GraphServices
  }
}

export default fp(async (app, opts: { config: GraphConfig }) => {
  const { config } = opts
  const client = createGraphClient({
    baseUrl: config.apiUrl,
    credentials: { tenantId: config.tenantId, clientId: config.clientId, clientSecret: config.clientSecret, loginUrl: config.loginUrl },
    timeoutMs: config.timeoutMs
  })
  app.providers.graph = createGraphSource(client, app.mapping)
  const queue = new Queue<GraphSubscriptionJob>(GRAPH_SUBSCRIPTION_QUEUE, { connection: app.redisQueue, prefix: app.config.QUEUE_PREFIX })
  queue.on('error', (err) => app.log.warn({ err: { name: err.name, message: err.message } }, 'graph subscription queue error'))
  const urls = config.publicUrl === undefined
    ? undefined
    : { notificationUrl: `${config.publicUrl}/webhooks/graph`, lifecycleNotificationUrl: `${config.publicUrl}/webhooks/graph/lifecycle` }
  app.decorate('graph', { config, client, queue, state: createSubscriptionState(app.redis, app.config.QUEUE_PREFIX), urls })
  // Registered before the workers, so this runs after their onClose: no job holds a closed client.
  app.addHook('onClose', async () => {
    await queue.close()
    await client.close()
  })
}, { name: 'graph-services', dependencies: ['sync-services', 'providers'] })
