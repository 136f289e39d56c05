/**
 * Runs the sync workers in this process (SERVICE_ROLE all or worker). They get their own Redis
 * connection; closing the app lets active jobs finish before it returns.
 */
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import type { Worker } from 'bullmq'
import { createSyncWorker } from '../queues/sync-worker.js'
import type { SyncJobData } from '../queues/sync-queue.js'

declare module 'fastify' {
  interface FastifyInstance {
    syncWorker: Worker<SyncJobData> | undefined
  }
}

export default fp(async (app) => {
  const { config } = app
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2000) })
  connection.on('error', () => { /* reported by the producer connection; the worker reconnects by itself */ })
  const worker = createSyncWorker({
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    backoffMs: config.JOB_BACKOFF_MS,
    deps: {
      providers: app.providers,
      enerflo: app.enerflo,
      store: app.store,
      budget: app.budget,
      windowMs: config.ENERFLO_RATE_LIMIT_WINDOW_MS,
      logger: app.log.child({ component: 'worker' })
    }
  })
  worker.on('error', (err) => app.log.warn({ err: { message: err.message } }, 'worker error'))
  app.decorate('syncWorker', worker)
  app.addHook('onReady', async () => { void worker.run() })
  app.addHook('onClose', async () => {
    await worker.close()
    connection.disconnect()
  })
}, { name: 'workers', dependencies: ['sync-services', 'providers'] })
