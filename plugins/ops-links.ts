/**
 * Identity links for users the provider cannot name an Enerflo id for. `PUT` stores a link and
 * queues the user again (so a parked user syncs at once), `DELETE` removes it, `POST …/import`
 * takes many (JSON or CSV) and reports every rejected row, and `GET /ops/unresolved` lists who is
 * waiting for one. All need OPS_TOKEN.
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorReply } from './error-handler.js'
import { storeJobs } from './store-jobs.js'
import { EnerfloUserId, Paging, UserParams } from './ops-schemas.js'
import { checkRows, parseCsvRows } from '../src/links-import.js'
import { userKey, type Source } from '../queues/sync-queue.js'

const Link = Type.Object({ userKey: Type.String(), enerfloUserId: Type.Integer(), queued: Type.Boolean() })
const IMPORT_LIMIT = 5 * 1024 * 1024

export default fp(async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_LIMIT }, (_request, body, done) => { done(null, body) })

  r.put('/ops/links/:source/:idpUserId', {
    preValidation: app.opsAuth,
    bodyLimit: 1024,
    schema: {
      params: UserParams,
      body: Type.Object({ enerfloUserId: EnerfloUserId }, { additionalProperties: false }),
      response: { 200: Link, '4xx': ErrorReply, '5xx': ErrorReply }
    }
  }, async (request) => {
    const { source, idpUserId } = request.params
    const key = userKey(source, idpUserId)
    await app.store.link(key, request.body.enerfloUserId)
    await storeJobs(app, [{ source, userId: idpUserId, eventIds: [], receivedAt: Date.now() }])
    request.log.info({ userKey: key }, 'identity link stored; user queued')
    return { userKey: key, enerfloUserId: request.body.enerfloUserId, queued: true }
  })

  r.delete('/ops/links/:source/:idpUserId', {
    preValidation: app.opsAuth,
    schema: { params: UserParams, response: { 204: Type.Null(), '4xx': ErrorReply } }
  }, async (request, reply) => {
    await app.store.unlink(userKey(request.params.source, request.params.idpUserId))
    return await reply.code(204).send(null)
  })

  r.post('/ops/links/import', {
    preValidation: app.opsAuth,
    bodyLimit: IMPORT_LIMIT,
    schema: {
      body: Type.Union([Type.Array(Type.Unknown(), { maxItems: 100_000 }), Type.String({ maxLength: IMPORT_LIMIT })]),
      response: {
        200: Type.Object({
          accepted: Type.Integer(),
          queued: Type.Integer(),
          rejected: Type.Array(Type.Object({ row: Type.Integer(), reason: Type.String() }))
        }),
        '4xx': ErrorReply,
        '5xx': ErrorReply
      }
    }
  }, async (request) => {
    const rows = typeof request.body === 'string' ? parseCsvRows(request.body) : request.body
    const { links, rejected } = checkRows(rows)
    for (const link of links) await app.store.link(userKey(link.source, link.idpUserId), link.enerfloUserId)
    await storeJobs(app, links.map((l) => ({ source: l.source, userId: l.idpUserId, eventIds: [], receivedAt: Date.now() })))
    request.log.info({ accepted: links.length, rejected: rejected.length }, 'identity links imported')
    return { accepted: links.length, queued: links.length, rejected }
  })

  r.get('/ops/unresolved', {
    preValidation: app.opsAuth,
    schema: {
      querystring: Type.Object(Paging, { additionalProperties: false }),
      response: {
        200: Type.Object({
          total: Type.Integer(),
          users: Type.Array(Type.Object({ userKey: Type.String(), source: Type.String(), userId: Type.String(), since: Type.String() }))
        }),
        '4xx': ErrorReply
      }
    }
  }, async (request) => {
    const { count, users } = await app.store.unresolved(request.query.limit, request.query.offset)
    return {
      total: count,
      users: users.map((u) => {
        const at = u.userKey.indexOf(':')
        return { ...u, source: u.userKey.slice(0, at) as Source, userId: u.userKey.slice(at + 1) }
      })
    }
  })
}, { name: 'ops-links', dependencies: ['sync-services', 'ops-auth', 'error-handler'] })
