/**
 * Identity links for users the provider cannot name an Enerflo id for. `PUT` stores a link only
 * when the provider knows the user (404 otherwise) and the Enerflo user is not another identity's
 * (409), then queues the user (so a parked user syncs at once); `DELETE` removes one (404 when
 * there is none); `GET /ops/unresolved` lists who is waiting for one. The bulk import is
 * ops-links-import.ts. All need OPS_TOKEN, checked before the body is read.
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorReply } from '../core/error-handler.js'
import { storeJobs } from '../webhooks/store-jobs.js'
import { EnerfloUserId, Paging, UserParams } from './schemas.js'
import { SyncError } from '../../src/errors.js'
import { checkLink, type LinkVerdict } from '../../src/sync/link-check.js'
import { userKey, type Source } from '../../queues/sync-queue.js'

const Link = Type.Object({ userKey: Type.String(), enerfloUserId: Type.Integer(), queued: Type.Boolean() })

/** A refused link as the answer an operator reads: 404 unknown, 409 taken, 502 provider down. */
export function linkRefused (verdict: Exclude<LinkVerdict, { ok: true }>): SyncError {
  if (verdict.status === 502) return new SyncError('OPS_NOT_FOUND', verdict.reason, 502)
  return new SyncError(verdict.status === 409 ? 'OPS_CONFLICT' : 'OPS_NOT_FOUND', verdict.reason, verdict.status)
}

export default fp(async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  r.put('/ops/links/:source/:idpUserId', {
    onRequest: app.opsAuth,
    bodyLimit: 1024,
    schema: {
      params: UserParams,
      body: Type.Object({ enerfloUserId: EnerfloUserId }, { additionalProperties: false }),
      response: { 200: Link, '4xx': ErrorReply, '5xx': ErrorReply }
    }
  }, async (request) => {
    const { source, idpUserId } = request.params
    const { enerfloUserId } = request.body
    const key = userKey(source, idpUserId)
    const verdict = await checkLink({ providers: app.providers, linkHolder: app.store.linkHolder }, source, idpUserId, enerfloUserId)
    if (!verdict.ok) throw linkRefused(verdict)
    const linked = await app.store.link(key, enerfloUserId)
    if (!linked.ok) throw new SyncError('OPS_CONFLICT', `Enerflo user ${enerfloUserId} is already linked to ${linked.holder}: unlink that first`, 409)
    await storeJobs(app, [{ source, userId: idpUserId, eventIds: [], receivedAt: Date.now() }])
    request.log.info({ userKey: key }, 'identity link stored; user queued')
    return { userKey: key, enerfloUserId, queued: true }
  })

  r.delete('/ops/links/:source/:idpUserId', {
    onRequest: app.opsAuth,
    schema: { params: UserParams, response: { 204: Type.Null(), '4xx': ErrorReply } }
  }, async (request, reply) => {
    const key = userKey(request.params.source, request.params.idpUserId)
    const old = await app.store.unlink(key)
    if (old === undefined) throw new SyncError('OPS_NOT_FOUND', `${key} has no stored link: nothing removed`, 404)
    return await reply.code(204).send(null)
  })

  r.get('/ops/unresolved', {
    onRequest: app.opsAuth,
    schema: {
      querystring: Type.Object(Paging, { additionalProperties: false }),
      response: {
        200: Type.Object({
          total: Type.Integer(),
          users: Type.Array(Type.Object({ userKey: Type.String(), source: Type.String(), userId: Type.String(), since: Type.String(), reason: Type.String() }))
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
}, { name: 'ops-links', dependencies: ['sync-services', 'providers', 'ops-auth', 'error-handler'] })
