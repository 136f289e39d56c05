/**
 * The receivers store a delivery as one job that the delivery worker fans out into sync jobs
 * (queues/delivery-queue.ts). A test that looks at the sync queue after a 2xx first waits for
 * that: the app's own delivery worker does it in SERVICE_ROLE all or worker; for an api-only app
 * (which stores and never works) a real delivery worker is run here, as a worker process would,
 * until the deliveries are fanned out.
 */
import type { FastifyInstance } from 'fastify'
import { createDeliveryWorker } from '../../queues/delivery-worker.js'
import { workerConnection } from '../../plugins/core/redis.js'
import { waitFor } from './wait.js'

async function noneLeft (app: FastifyInstance): Promise<void> {
  await waitFor('the deliveries to be fanned out', async () => await app.deliveryQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    (c) => Object.values(c).every((n) => n === 0))
}

export async function fannedOut (app: FastifyInstance): Promise<void> {
  if (app.hasDecorator('deliveryWorker') && app.deliveryWorker !== undefined) { await noneLeft(app); return }
  const connection = workerConnection(app.config.redis)
  const worker = createDeliveryWorker({ connection, prefix: app.config.QUEUE_PREFIX, syncQueue: app.syncQueue, attempts: app.config.JOB_ATTEMPTS })
  void worker.run()
  try {
    await noneLeft(app)
  } finally {
    await worker.close()
    connection.disconnect()
  }
}

/** fannedOut, then the sync queue empty too: every change a delivery asked for has been worked. */
export async function settled (app: FastifyInstance): Promise<void> {
  await fannedOut(app)
  await waitFor('the sync queue to settle', async () => await app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    (c) => Object.values(c).every((n) => n === 0))
}

/** Empties the delivery queue and the sync queue (what a test's `syncQueue.drain()` meant before deliveries were stored whole). */
export async function drainQueues (app: FastifyInstance): Promise<void> {
  await app.deliveryQueue.drain()
  await app.syncQueue.drain()
}
