/**
 * Microsoft Graph change notifications: POST /webhooks/graph (and, from graph-lifecycle.ts,
 * /webhooks/graph/lifecycle). Order: route → validation handshake (an onRequest hook, before any
 * body parsing) → content type → the shared hardened parser, which parses before it looks and
 * keeps sequenceNumber exact (src/json-body.ts) → schema (400)
 * → clientState per item (constant time; wrong items dropped and counted) → store the delivery,
 * one entry per distinct user, as one job for the delivery worker (503 if Redis cannot take it) → 202. Nothing here calls Graph:
 * Graph counts any answer slower than about 3 s against us.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { acceptItems } from '../../src/graph/accept.js'
import { eventIdOf, NotificationCollectionSchema, userIdOf } from '../../src/graph/notifications.js'
import { parseGraphBody } from '../../src/json-body.js'
import { useJsonParser } from './json-parser.js'
import type { SyncJobData } from '../../queues/sync-queue.js'
import { ErrorReply } from '../core/error-handler.js'
import { storeConfirmed, storeDelivery } from './store-jobs.js'
import { countEvents } from '../status/metrics.js'
import { statName } from '../../src/sync/stats.js'
import { groupIdOf } from '../../src/graph/group-notifications.js'
import { enqueueGroupChanges } from '../../queues/graph-group-queue.js'
import { flushDeliveries, recordDelivery } from './delivery-accounting.js'
import { Accepted, registerLifecycleRoute } from './graph-lifecycle.js'

export const BODY_LIMIT = 1024 * 1024
// Graph's tokens are a few hundred characters; anything far longer is not Graph.
const TOKEN_MAX = 4096
const CHANGE_TYPES = new Set(['updated', 'deleted', 'created'])


/**
 * Graph proves the URL by POSTing ?validationToken=…; we echo it, decoded, as plain text. A
 * callback hook: it runs on every notification, and an async one costs a promise and a turn of
 * the microtask queue each time.
 */
function handshake (request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const q = request.url.indexOf('?')
  const token = q === -1 ? null : new URLSearchParams(request.url.slice(q + 1)).get('validationToken')
  if (token === null) { done(); return }
  if (token === '' || token.length > TOKEN_MAX) {
    void reply.code(400).send({ statusCode: 400, code: 'WEBHOOK_BODY', error: 'Bad Request', message: 'validationToken is empty or too long' })
    return
  }
  request.log.info('graph validation handshake answered')
  // Plain text and nosniff: the token is echoed as opaque text, never something a browser renders.
  void reply.code(200)
    .header('content-type', 'text/plain; charset=utf-8')
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(token)
}

export default fp(async (app) => {
  // A child context, so the hook and the parser apply to the Graph routes only.
  await app.register(async (child: FastifyInstance) => {
    child.addHook('onRequest', handshake)
    // The delivery counters still pending are sent before the Redis connections close.
    child.addHook('onClose', async () => { await flushDeliveries(child) })
    useJsonParser(child, parseGraphBody, BODY_LIMIT)
    registerChangeRoute(child)
    registerLifecycleRoute(child)
  })
}, { name: 'graph-webhook', dependencies: ['graph-services', 'graph-group-queue', 'sync-services', 'error-handler', 'metrics'] })

function registerChangeRoute (app: FastifyInstance): void {
  const { graph } = app
  app.withTypeProvider<TypeBoxTypeProvider>().post('/webhooks/graph', {
    config: { source: 'graph' },
    bodyLimit: BODY_LIMIT,
    schema: { body: NotificationCollectionSchema, response: { 202: Accepted, '4xx': ErrorReply, '5xx': ErrorReply } }
  }, async (request, reply) => {
    const receivedAt = Date.now()
    const { accepted, wrongState, wrongTenant } = acceptItems(request.body.value, { clientStates: graph.config.clientStates, tenantId: graph.config.tenantId })
    const byUser = new Map<string, SyncJobData>()
    const eventIds: string[] = []
    let ignored = 0
    let noUser = 0
    const groupIds = new Set<string>()
    let groupItems = 0
    for (const n of accepted) {
      if (!CHANGE_TYPES.has((n.changeType ?? '').toLowerCase())) { ignored++; continue }
      // A mapped group changed (members joined or left): its worker works out who, off this path.
      const groupId = groupIdOf(n)
      if (groupId !== undefined) { groupIds.add(groupId); groupItems++; continue }
      const userId = userIdOf(n)
      if (userId === undefined) { noUser++; continue }
      const job = byUser.get(userId) ?? { source: 'graph', userId, eventIds: [], receivedAt }
      const eventId = eventIdOf(n, userId)
      if (eventId !== undefined) { job.eventIds.push(eventId); eventIds.push(eventId) }
      byUser.set(userId, job)
    }
    await storeDelivery(app, [...byUser.values()])
    if (groupIds.size > 0) await storeConfirmed(app, 'graph group changes', async () => { await enqueueGroupChanges(app.graphGroupQueue, groupIds, receivedAt) })
    // Stored. What follows is accounting only and must not turn into an error Graph would retry.
    const rejected = wrongState + wrongTenant
    countEvents(app.metrics, 'graph', 'notification', { queued: accepted.length - ignored - noUser - groupItems, group: groupItems, ignored, no_user: noUser, rejected })
    if (rejected > 0) app.stats.bump({ [statName.rejected('graph', 'client-state')]: wrongState, [statName.rejected('graph', 'tenant')]: wrongTenant })
    if (accepted.length > 0) recordDelivery(app, 'graph', eventIds, { ignored, noUser, users: byUser.size })
    if (rejected > 0) request.log.warn({ wrongClientState: wrongState, wrongTenant }, 'graph notifications dropped: not ours')
    // The info line is the batch's (delivery-accounting.ts): one per batch, not per request.
    request.log.debug({ items: request.body.value.length, users: byUser.size, ignored, rejected }, 'graph notifications accepted')
    // A string: Fastify sends it as text/plain; charset=utf-8.
    return await reply.code(202).send('')
  })
}
