/**
 * Runs the sync workers in this process (SERVICE_ROLE all or worker), and the delivery worker
 * that turns what the receivers stored into sync jobs (queues/delivery-worker.ts). Each gets its
 * own Redis connection; closing the app lets active jobs finish before it returns.
 */
import fp from 'fastify-plugin'
import { workerConnection } from './redis.js'
import type { Worker } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { createSyncWorker } from '../../queues/sync-worker.js'
import type { SyncJobData } from '../../queues/sync-queue.js'
import { createDeliveryWorker } from '../../queues/delivery-worker.js'
import type { DeliveryJobData } from '../../queues/delivery-queue.js'
import { createBrake } from '../../src/sync/brake.js'
import { createCredentialVerdicts } from '../../src/sync/credential-verdicts.js'

/** Less than the process's grace period (src/server.ts), so the worker is closed before it is killed. */
const DRAIN_MS = 15_000

declare module 'fastify' {
  interface FastifyInstance {
    syncWorker: Worker<SyncJobData> | undefined
    deliveryWorker: Worker<DeliveryJobData> | undefined
  }
}

export default fp(async (app) => {
  const { config } = app
  const connection = workerConnection(config.redis)
  const worker = createSyncWorker({
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    backoffMs: config.JOB_BACKOFF_MS,
    lockMs: config.WORKER_LOCK_MS,
    deps: {
      providers: app.providers,
      enerflo: app.enerflo,
      store: app.store,
      budget: app.budget,
      windowMs: config.ENERFLO_RATE_LIMIT_WINDOW_MS,
      enerfloTimeoutMs: config.ENERFLO_TIMEOUT_MS,
      logger: app.log.child({ component: 'worker' }),
      queue: app.syncQueue,
      directory: app.directory,
      resolve: app.resolveOptions,
      roles: app.roleRules,
      createNotifyEmail: config.CREATE_NOTIFY_EMAIL === 'true',
      shadow: config.SYNC_MODE === 'shadow',
      brake: createBrake(app.redis, config.QUEUE_PREFIX, { windowMs: config.BRAKE_WINDOW_MS, maxPercent: config.BRAKE_MAX_PERCENT, minUsers: config.BRAKE_MIN_USERS }),
      credentials: createCredentialVerdicts(app.redis, config.QUEUE_PREFIX),
      blocked: app.blockedRemovals,
      managers: app.pendingManagers,
      followUps: app.followUps,
      onBlocked: () => { app.metrics.blockedRemovals.inc() },
      onEnerfloCall: (status) => {
        app.metrics.enerfloCalls.inc({ status: String(status) })
        if (status === 429) app.metrics.enerfloRateLimited.inc()
      }
    }
  })
  worker.on('completed', (job, result: { outcome?: string } | undefined) => {
    const outcome = result?.outcome ?? 'unknown'
    app.metrics.jobs.inc({ outcome })
    if (outcome === 'applied') app.metrics.eventToApplied.observe((Date.now() - job.data.receivedAt) / 1000)
  })
  worker.on('failed', (job) => {
    if (job === undefined) return
    const final = job.finishedOn !== undefined
    app.metrics.jobs.inc({ outcome: final ? 'failed' : 'retrying' })
  })
  worker.on('error', (err) => app.log.warn({ err: { name: err.name, message: err.message } }, 'worker error'))
  app.decorate('syncWorker', worker)
  const deliveryConnection = workerConnection(config.redis)
  const deliveries = createDeliveryWorker({ connection: deliveryConnection, prefix: config.QUEUE_PREFIX, syncQueue: app.syncQueue, attempts: config.JOB_ATTEMPTS, lockMs: config.WORKER_LOCK_MS })
  deliveries.on('error', (err) => app.log.warn({ err: { name: err.name, message: err.message } }, 'delivery worker error'))
  // Every failed try is logged (it is tried again: queues/delivery-queue.ts); ids only.
  deliveries.on('failed', (job, err) => app.log.warn({ delivery: job?.id, users: job?.data.jobs.length, attemptsMade: job?.attemptsMade, err: { name: err.name, message: err.message } }, 'delivery not fanned out yet'))
  app.decorate('deliveryWorker', deliveries)
  app.addHook('onReady', async () => { void worker.run(); void deliveries.run() })
  app.addHook('onClose', async () => {
    // Both at once, within one drain time: a delivery being fanned out finishes in a round trip
    // or two; a sync job may wait for Enerflo.
    await Promise.all([drain(app, worker, connection, 'active jobs'), drain(app, deliveries, deliveryConnection, 'deliveries being fanned out')])
  })
}, { name: 'workers', dependencies: ['sync-services', 'providers', 'metrics', 'blocked-removals', 'follow-ups'] })

/**
 * Active jobs may finish (or go back to the queue) within the drain time; a worker without Redis
 * cannot hand anything back and would wait forever, so it is closed at once, also when Redis goes
 * away during the drain (its connection may notice only after the shutdown began).
 */
async function drain (app: FastifyInstance, worker: Pick<Worker, 'close'>, connection: Redis, what: string): Promise<void> {
  if (connection.status !== 'ready') {
    await worker.close(true)
  } else {
    let timer: NodeJS.Timeout | undefined
    let onLost: (() => void) | undefined
    const drained = await Promise.race([
      worker.close().then(() => 'drained' as const),
      new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), DRAIN_MS) }),
      new Promise<'lost'>((resolve) => { onLost = () => resolve('lost'); connection.once('close', onLost) })
    ])
    clearTimeout(timer)
    if (onLost !== undefined) connection.off('close', onLost)
    if (drained === 'late') app.log.warn({ drainMs: DRAIN_MS }, `${what} did not finish in time: closing the worker; they will run again (jobs are level-triggered)`)
    if (drained !== 'drained') await worker.close(true)
  }
  connection.disconnect()
}
