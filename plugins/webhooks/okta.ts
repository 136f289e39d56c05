/**
 * Okta Event Hook receiver. Order, as octokit does it: route → secret from the headers alone, in
 * onRequest, before a byte of the body is read (constant time; 401, or 429 for an address that
 * keeps failing) → content type (415) → body limit and the shared hardened parser → schema (400,
 * at most MAX_EVENTS_PER_DELIVERY events) → handshake, or store the delivery as one job (503 if
 * Redis cannot confirm) → 200 with an empty body. Only events that change a user are in it, one
 * entry per distinct user, which the delivery worker turns into sync jobs.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { isUserChangeEvent, OktaDeliverySchema, userIdOf } from '../../src/okta/events.js'
import { parseJsonBody } from '../../src/json-body.js'
import { matchesAnySecret } from '../../src/secret.js'
import { SyncError } from '../../src/errors.js'
import type { SyncJobData } from '../../queues/sync-queue.js'
import { storeDelivery } from './store-jobs.js'
import { laneOfOktaEvent } from '../../queues/sync-lanes.js'
import { ErrorReply } from '../core/error-handler.js'
import { flushDeliveries, recordDelivery } from './delivery-accounting.js'
import { useJsonParser } from './json-parser.js'

const BODY_LIMIT = 1024 * 1024

export default fp(async (parent) => {
  // A child context: the parser and the secret hook apply to the Okta routes only.
  await parent.register(async (app) => { routes(app) })
}, { name: 'okta-webhook', dependencies: ['sync-services', 'error-handler', 'metrics', 'auth-failures'] })

function routes (app: FastifyInstance): void {
  const { config } = app
  const secrets = config.oktaWebhookSecrets
  const headerName = config.OKTA_WEBHOOK_HEADER.toLowerCase()
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  useJsonParser(app, parseJsonBody, BODY_LIMIT)

  // Rejections are counted by the error handler, per reason, for /status. A callback hook, not an
  // async one: on the hot path it saves a promise and a microtask hop per request.
  const checkSecret = (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    const raw = request.headers[headerName]
    // A repeated header is never what Okta sends: it fails like a wrong secret.
    const presented = Array.isArray(raw) ? undefined : raw
    if (matchesAnySecret(presented, secrets)) { done(); return }
    try {
      app.rejectAuth(request, reply, 'WEBHOOK_AUTH', `missing or wrong secret in the ${headerName} header`)
    } catch (err) {
      done(err as Error)
    }
  }
  app.addHook('onRequest', checkSecret)
  // The delivery counters still pending are sent before the Redis connections close.
  app.addHook('onClose', async () => { await flushDeliveries(app) })

  r.get('/webhooks/okta', {
    config: { source: 'okta' },
    schema: {
      headers: Type.Object({ 'x-okta-verification-challenge': Type.Optional(Type.String()) }),
      response: { 200: Type.Object({ verification: Type.String() }), '4xx': ErrorReply }
    }
  }, async (request) => {
    const challenge = request.headers['x-okta-verification-challenge']
    if (challenge === undefined || challenge === '') {
      throw new SyncError('WEBHOOK_BODY', 'the x-okta-verification-challenge header is missing', 400)
    }
    return { verification: challenge }
  })

  r.post('/webhooks/okta', {
    config: { source: 'okta' },
    bodyLimit: BODY_LIMIT,
    schema: {
      body: OktaDeliverySchema,
      response: { 200: { description: 'stored: Okta reads only the status', content: { 'text/plain': { schema: Type.String({ maxLength: 0 }) } } }, '4xx': ErrorReply, '5xx': ErrorReply }
    }
  }, async (request, reply) => {
    const receivedAt = Date.now()
    const byUser = new Map<string, SyncJobData>()
    let ignored = 0
    let noUser = 0
    const eventIds: string[] = []
    const counted = app.metrics.eventTally
    for (const event of request.body.data.events) {
      const type = event.eventType
      if (!isUserChangeEvent(type)) { ignored++; counted.add('okta', 'other', 'ignored', { source: 'okta', type: 'other', outcome: 'ignored' }); continue }
      const userId = userIdOf(event)
      if (userId === undefined) { noUser++; counted.add('okta', type, 'no_user', { source: 'okta', type, outcome: 'no_user' }); continue }
      counted.add('okta', type, 'queued', { source: 'okta', type, outcome: 'queued' })
      eventIds.push(event.uuid)
      const job = byUser.get(userId) ?? { source: 'okta', userId, eventIds: [], receivedAt }
      job.eventIds.push(event.uuid)
      // A deactivation, suspension or deletion jumps the queue (the worker re-reads the state).
      // Live is the lane a job without one waits in, so only a higher lane is written down.
      if (laneOfOktaEvent(type) === 'deactivate') job.lane = 'deactivate'
      byUser.set(userId, job)
    }
    await storeDelivery(app, [...byUser.values()])
    // The jobs are stored; what follows is accounting only and must not turn a stored delivery
    // into an error that would make Okta send it again.
    recordDelivery(app, 'okta', eventIds, { ignored, noUser, users: byUser.size })
    if (noUser > 0) request.log.warn({ count: noUser }, 'user-change events without a User target were acknowledged but cannot be synced')
    // The info line is the batch's (delivery-accounting.ts): one per batch, not per request.
    request.log.debug({ events: request.body.data.events.length, users: byUser.size, ignored }, 'okta delivery accepted')
    // Okta wants a 200 with an empty body (a string: Fastify sends it as text/plain; charset=utf-8).
    return await reply.code(200).send('')
  })
}
