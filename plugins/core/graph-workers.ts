/**
 * Keeps the Graph subscriptions alive from this process (SERVICE_ROLE all or worker), when
 * PUBLIC_URL says where Graph can reach us: upserts the check scheduler and runs the subscription
 * worker on its own connection. Every worker process does this; the queue makes sure only one job
 * runs at a time across all of them. The subscriptions are the one on `users` and one per mapped
 * group; the group-change worker turns a group's "updated" into sync jobs for who joined or left.
 */
import fp from 'fastify-plugin'
import { workerConnection } from './redis.js'
import type { Worker } from 'bullmq'
import { createKeeper } from '../../src/graph/subscription-keeper.js'
import { createGroupKeeper } from '../../src/graph/group-subscription-keeper.js'
import { createGroupMembers } from '../../src/graph/group-members.js'
import { createGroupSubscriptionHashes } from '../../src/graph/subscription-state.js'
import { scheduleSubscriptionChecks, type GraphSubscriptionJob } from '../../queues/graph-subscription-queue.js'
import { createGraphSubscriptionWorker } from '../../queues/graph-subscription-worker.js'
import { createGraphGroupWorker } from '../../queues/graph-group-worker.js'
import type { GraphGroupJob } from '../../queues/graph-group-queue.js'

const RETRY_MS = 30_000

declare module 'fastify' {
  interface FastifyInstance {
    graphSubscriptionWorker: Worker<GraphSubscriptionJob> | undefined
    graphGroupWorker: Worker<GraphGroupJob> | undefined
  }
}

export default fp(async (app) => {
  const { graph } = app
  const clientState = graph.config.clientStates[0]
  if (graph.urls === undefined || clientState === undefined) {
    app.log.warn('PUBLIC_URL is unset: no Graph subscription is kept; create one by hand or set PUBLIC_URL')
    app.decorate('graphSubscriptionWorker', undefined)
    app.decorate('graphGroupWorker', undefined)
    return
  }
  const log = app.log.child({ component: 'graph-subscription' })
  const prefix = app.config.QUEUE_PREFIX
  const connection = workerConnection(app.config.redis)
  const groupConnection = workerConnection(app.config.redis)
  const members = createGroupMembers(app.redis, prefix)
  const groupNames = [...app.mapping.roles, ...app.mapping.offices].map((e) => e.group)
  const groups = createGroupKeeper({
    api: graph.client.subscriptions, groups: graph.client.groups, members, stateHashes: createGroupSubscriptionHashes(app.redis, prefix),
    groupNames, clientState, log, ...graph.urls
  })
  const keeper = createKeeper({ api: graph.client.subscriptions, state: graph.state, clientState, log, groups, ...graph.urls })
  const worker = createGraphSubscriptionWorker({ connection, prefix, keeper, state: graph.state, log })
  worker.on('error', (err) => log.warn({ err: { name: err.name, message: err.message } }, 'graph subscription worker error'))
  const groupWorker = createGraphGroupWorker({
    connection: groupConnection, prefix, groups: graph.client.groups, members, syncQueue: app.syncQueue, attempts: app.config.JOB_ATTEMPTS,
    log: app.log.child({ component: 'graph-groups' })
  })
  groupWorker.on('error', (err) => log.warn({ err: { name: err.name, message: err.message } }, 'graph group worker error'))
  groupWorker.on('failed', (job, err) => log.warn({ groupId: job?.data.groupId, code: (err as { code?: string }).code }, 'graph group change job failed'))
  app.decorate('graphSubscriptionWorker', worker)
  app.decorate('graphGroupWorker', groupWorker)
  let retry: NodeJS.Timeout | undefined
  const schedule = async (): Promise<void> => {
    await scheduleSubscriptionChecks(graph.queue, graph.config.checkEveryMs).catch((err: Error) => {
      // Redis may be down at start: try again until it answers. Meanwhile the receiver and sync
      // keep working, and /status says the subscription is missing.
      log.warn({ err: { name: err.name, message: err.message } }, 'could not schedule graph subscription checks; retrying')
      retry = setTimeout(() => { void schedule() }, RETRY_MS)
      retry.unref()
    })
  }
  app.addHook('onReady', async () => {
    void worker.run()
    void groupWorker.run()
    await schedule()
  })
  app.addHook('onClose', async () => {
    clearTimeout(retry)
    await Promise.all([worker.close(connection.status !== 'ready'), groupWorker.close(groupConnection.status !== 'ready')])
    connection.disconnect()
    groupConnection.disconnect()
  })
}, { name: 'graph-workers', dependencies: ['graph-services'] })
