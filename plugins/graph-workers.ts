/**
 * Keeps the Graph subscription alive from this process (SERVICE_ROLE all or worker), when
 * PUBLIC_URL says where Graph can reach us: upserts the check scheduler and runs the subscription
 * worker on its own connection. Every worker process does this; the queue makes sure only one job
 * runs at a time across all of them.
 */
import fp from 'fastify-plugin'
import { workerConnection } from './redis.js'
import type { Worker } from 'bullmq'
import { createKeeper } from '../src/graph/subscription-keeper.js'
import { scheduleSubscriptionChecks, type GraphSubscriptionJob } from '../queues/graph-subscription-queue.js'
import { createGraphSubscriptionWorker } from '../queues/graph-subscription-worker.js'

const RETRY_MS = 30_000

declare module 'fastify' {
  interface FastifyInstance {
    graphSubscriptionWorker: Worker<GraphSubscriptionJob> | undefined
  }
}

export default fp(async (app) => {
  const { graph } = app
  const clientState = graph.config.clientStates[0]
  if (graph.urls === undefined || clientState === undefined) {
    app.log.warn('PUBLIC_URL is unset: no Graph subscription is kept; create one by hand or set PUBLIC_URL')
    app.decorate('graphSubscriptionWorker', undefined)
    return
  }
  const log = app.log.child({ component: 'graph-subscription' })
  const connection = workerConnection(app.config.REDIS_URL)
  const keeper = createKeeper({ api: graph.client.subscriptions, state: graph.state, clientState, log, ...graph.urls })
  const worker = createGraphSubscriptionWorker({ connection, prefix: app.config.QUEUE_PREFIX, keeper, state: graph.state, log })
  worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'graph subscription worker error'))
  app.decorate('graphSubscriptionWorker', worker)
  let retry: NodeJS.Timeout | undefined
  const schedule = async (): Promise<void> => {
    await scheduleSubscriptionChecks(graph.queue, graph.config.checkEveryMs).catch((err: Error) => {
      // Redis may be down at start: try again until it answers. Meanwhile the receiver and sync
      // keep working, and /status says the subscription is missing.
      log.warn({ err: { message: err.message } }, 'could not schedule graph subscription checks; retrying')
      retry = setTimeout(() => { void schedule() }, RETRY_MS)
      retry.unref()
    })
  }
  app.addHook('onReady', async () => {
    void worker.run()
    await schedule()
  })
  app.addHook('onClose', async () => {
    clearTimeout(retry)
    await worker.close(connection.status !== 'ready')
    connection.disconnect()
  })
}, { name: 'graph-workers', dependencies: ['graph-services'] })
