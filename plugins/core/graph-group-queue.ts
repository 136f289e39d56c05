/**
 * The producer side of the group-change queue, for the Graph receiver (SERVICE_ROLE all or api):
 * a group notification is stored here as one job per group, and the worker side
 * (graph-workers.ts) lists the group and enqueues the sync jobs. On the queue connection, as the
 * sync queue's producer is.
 */
import fp from 'fastify-plugin'
import { Queue } from 'bullmq'
import { GRAPH_GROUP_QUEUE, type GraphGroupJob } from '../../queues/graph-group-queue.js'

declare module 'fastify' {
  interface FastifyInstance {
    graphGroupQueue: Queue<GraphGroupJob>
  }
}

export default fp(async (app) => {
  const queue = new Queue<GraphGroupJob>(GRAPH_GROUP_QUEUE, { connection: app.redisQueue, prefix: app.config.QUEUE_PREFIX })
  queue.on('error', (err) => app.log.warn({ err: { name: err.name, message: err.message } }, 'graph group queue error'))
  app.decorate('graphGroupQueue', queue)
  app.addHook('onClose', async () => { await queue.close() })
}, { name: 'graph-group-queue', dependencies: ['graph-services'] })
