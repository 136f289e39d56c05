/**
 * Identity links for users the provider cannot name an Enerflo id for: `PUT` stores the link and
 * queues the user again (so a parked user syncs at once), `DELETE` removes it. Needs OPS_TOKEN.
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorReply } from './error-handler.js'
import { storeJobs } from './store-jobs.js'
import { userKey, type Source } from '../queues/sync-queue.js'

const Params = Type.Object({
  source: Type.Union([Type.Literal('okta'), Type.Literal('graph')]),
  idpUserId: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._@-]+$' })
})
const Link = Type.Object({ userKey: Type.String(), enerfloUserId: Type.Integer(), queued: Type.Boolean() })

export default fp(async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  r.put('/ops/links/:source/:idpUserId', {
    preValidation: app.opsAuth,
    schema: {
      params: Params,
      body: Type.Object({ enerfloUserId: Type.Integer({ minimum: 1, maximum: 2147483647 }) }, { additionalProperties: false }),
      response: { 200: Link, '4xx': ErrorReply, '5xx': ErrorReply }
    }
  }, async (request) => {
    const { source, idpUserId } = request.params
    const key = userKey(source as Source, idpUserId)
    await app.store.link(key, request.body.enerfloUserId)
    await storeJobs(app, [{ source: source as Source, userId: idpUserId, eventIds: [], receivedAt: Date.now() }])
    request.log.info({ userKey: key }, 'identity link stored; user queued')
    return { userKey: key, enerfloUserId: request.body.enerfloUserId, queued: true }
  })
  r.delete('/ops/links/:source/:idpUserId', {
    preValidation: app.opsAuth,
    schema: { params: Params, response: { 204: Type.Null(), '4xx': ErrorReply } }
  }, async (request, reply) => {
    await app.store.unlink(userKey(request.params.source as Source, request.params.idpUserId))
    return await reply.code(204).send(null)
  })
}, { name: 'ops-links', dependencies: ['sync-services', 'ops-auth', 'error-handler'] })
