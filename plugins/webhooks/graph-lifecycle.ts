/**
 * POST /webhooks/graph/lifecycle: Graph's lifecycle notifications, in the Graph receiver's child
 * context (same handshake, parser and clientState rule). Nothing is done here but storing:
 * `reauthorizationRequired` and `subscriptionRemoved` become jobs on the subscription queue (the
 * keeper reauthorizes or recreates at once), `missed` is recorded for /status and starts an
 * incremental graph pass (unless one runs), anything else is logged and acknowledged. 202 only once Redis holds all of it.
 */
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { SyncError } from '../../src/errors.js'
import { statName } from '../../src/sync/stats.js'
import { acceptItems } from '../../src/graph/accept.js'
import { NotificationCollectionSchema } from '../../src/graph/notifications.js'
import { enqueueLifecycleJobs, type GraphSubscriptionJob } from '../../queues/graph-subscription-queue.js'
import { ErrorReply } from '../core/error-handler.js'
import { enqueueRun } from '../../queues/reconcile-queue.js'
import { confirmReplicated } from './store-jobs.js'

const DEADLINE_MS = 2000

/** The answer of both Graph routes: an empty text body, since Graph reads only the status. */
export const Accepted = { description: 'stored (or not ours, and dropped): Graph reads only the status', content: { 'text/plain': { schema: Type.String({ maxLength: 0 }) } } }
type LifecycleJob = Exclude<GraphSubscriptionJob, { kind: 'ensure' }>

/**
 * Graph dropped notifications it will never resend: an incremental graph pass finds what they
 * said. One that already runs will do (the runs lock says so); a run that could not be queued is
 * closed at once, so its lock does not hold off the next one.
 */
async function passForMissed (app: FastifyInstance): Promise<void> {
  const started = await app.runs.start('graph', 'incremental', false)
  if (!('run' in started)) return
  try {
    await enqueueRun(app.reconcileQueue, started.run.id)
  } catch (err) {
    await app.runs.finish(started.run, 'could not be queued (Redis)')
    throw err
  }
  app.log.info({ runId: started.run.id }, 'graph missed notifications: incremental pass started')
}

export function registerLifecycleRoute (app: FastifyInstance): void {
  const { graph } = app
  app.withTypeProvider<TypeBoxTypeProvider>().post('/webhooks/graph/lifecycle', {
    bodyLimit: 1024 * 1024,
    config: { source: 'graph' },
    schema: { body: NotificationCollectionSchema, response: { 202: Accepted, '4xx': ErrorReply, '5xx': ErrorReply } }
  }, async (request, reply) => {
    const { accepted, wrongState, wrongTenant } = acceptItems(request.body.value, { clientStates: graph.config.clientStates, tenantId: graph.config.tenantId })
    const jobs = new Map<string, LifecycleJob>()
    const counts: Record<string, number> = {}
    for (const n of accepted) {
      const event = n.lifecycleEvent ?? 'none'
      if (event === 'reauthorizationRequired') jobs.set(`r:${n.subscriptionId}`, { kind: 'reauthorize', subscriptionId: n.subscriptionId })
      else if (event === 'subscriptionRemoved') jobs.set(`c:${n.subscriptionId}`, { kind: 'recreate', subscriptionId: n.subscriptionId })
      else if (event !== 'missed') request.log.warn({ lifecycleEvent: event.slice(0, 64) }, 'unknown graph lifecycle event acknowledged')
      const known = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'].includes(event)
      counts[known ? event : 'unknown'] = (counts[known ? event : 'unknown'] ?? 0) + 1
    }
    const now = new Date().toISOString()
    const m = app.stats.into(app.redis.multi(), {
      ...Object.fromEntries(Object.entries(counts).map(([event, n]) => [statName.lifecycle(event), n])),
      [statName.rejected('graph', 'client-state')]: wrongState,
      [statName.rejected('graph', 'tenant')]: wrongTenant
    })
    if (accepted.length > 0) {
      const last = accepted.at(-1)?.lifecycleEvent ?? 'unknown'
      m.hset(graph.state.key, 'lastLifecycleEvent', `${now} ${last.slice(0, 64)}`)
      if ((counts['missed'] ?? 0) > 0) m.hset(graph.state.key, 'lastMissedAt', now)
    }
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        (async () => {
          await enqueueLifecycleJobs(graph.queue, [...jobs.values()])
          const results = await m.exec()
          const failed = results?.find(([err]) => err !== null)
          if (results === null || failed !== undefined) throw new Error('Redis did not store the lifecycle record')
          if ((counts['missed'] ?? 0) > 0) await passForMissed(app)
        })(),
        new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('Redis did not answer in time')), DEADLINE_MS) })
      ])
    } catch (err) {
      request.log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'could not store graph lifecycle notifications')
      throw new SyncError('QUEUE_UNAVAILABLE', 'the queue (Redis) did not confirm the lifecycle notifications; some may be stored: deliver again, a repeat is harmless', 503, { cause: err })
    } finally {
      clearTimeout(timer)
    }
    // REDIS_MIN_REPLICAS: the lifecycle jobs went out on the queue's producer connection too.
    await confirmReplicated(app)
    request.log.info({ items: request.body.value.length, counts, jobs: jobs.size, rejected: wrongState + wrongTenant }, 'graph lifecycle notifications accepted')
    return await reply.code(202).header('content-type', 'text/plain; charset=utf-8').send('')
  })
}
