/**
 * Role removals Enerflo refuses while leads are attributed to the user (README "What Enerflo
 * refuses, and what the service does then"): `GET /ops/blocked` lists them with Enerflo's words
 * and the fix; `POST /ops/blocked/retry` tries one user's (or every one's) again now instead of at
 * the next BLOCKED_RETRY_MS; `POST /ops/users/{source}/{id}/sync` syncs one user now, retrying
 * whatever is pending for it.
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorReply } from '../core/error-handler.js'
import { UserParams } from './schemas.js'
import { SyncError } from '../../src/errors.js'
import { userKey } from '../../src/sync/source.js'

export const BlockedReply = Type.Object({
  userKey: Type.String(),
  enerfloId: Type.Integer(),
  roles: Type.Array(Type.String(), { description: 'Role Names Enerflo refuses to remove' }),
  enerflo: Type.String({ description: 'what Enerflo said' }),
  fix: Type.String(),
  since: Type.String(),
  lastRefusedAt: Type.String(),
  refusals: Type.Integer(),
  nextRetryAt: Type.String()
})

const UserKey = Type.String({ minLength: 3, maxLength: 300, pattern: '^(okta|graph):.+$', description: 'source:id, as GET /ops/blocked shows it' })

export default fp(async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const blocked = app.blockedRemovals

  r.get('/ops/blocked', {
    onRequest: app.opsAuth,
    schema: {
      description: 'Role removals Enerflo refuses while surveys or appointments are attributed to the user: pending, retried every BLOCKED_RETRY_MS.',
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ count: Type.Integer(), retryEveryMs: Type.Integer(), removals: Type.Array(BlockedReply) }), '4xx': ErrorReply, '5xx': ErrorReply }
    }
  }, async (request) => {
    const { count, removals } = await blocked.list(request.query.limit)
    return { count, retryEveryMs: blocked.retryMs, removals }
  })

  r.post('/ops/blocked/retry', {
    onRequest: app.opsAuth,
    schema: {
      description: 'Try blocked role removals again now: one user\'s (userKey) or every one\'s.',
      body: Type.Optional(Type.Object({ userKey: Type.Optional(UserKey) }, { additionalProperties: false })),
      response: { 202: Type.Object({ queued: Type.Array(Type.String()) }), '4xx': ErrorReply, '5xx': ErrorReply }
    }
  }, async (request, reply) => {
    const key = request.body?.userKey
    const keys = await blocked.retryNow(key)
    if (key !== undefined && keys.length === 0) throw new SyncError('OPS_NOT_FOUND', `${key} has no blocked role removal: GET /ops/blocked lists them`, 404)
    if (keys.length > 0) await blocked.queue(keys, 'live')
    request.log.info({ users: keys.length }, 'operator retried blocked role removals')
    return await reply.code(202).send({ queued: keys })
  })

  r.post('/ops/users/:source/:idpUserId/sync', {
    onRequest: app.opsAuth,
    schema: {
      description: 'Sync this user now, from what the provider says now; a blocked role removal of the user is tried again too.',
      params: UserParams,
      response: { 202: Type.Object({ userKey: Type.String(), queued: Type.Boolean(), retriesBlocked: Type.Boolean() }), '4xx': ErrorReply, '5xx': ErrorReply }
    }
  }, async (request, reply) => {
    const { source, idpUserId } = request.params
    if ((source === 'okta' ? app.config.okta : app.config.graph) === undefined) throw new SyncError('OPS_NOT_FOUND', `source ${source} is not configured on this instance`, 404)
    const key = userKey(source, idpUserId)
    const retried = await blocked.retryNow(key)
    await blocked.queue([key], 'live')
    return await reply.code(202).send({ userKey: key, queued: true, retriesBlocked: retried.length > 0 })
  })
}, { name: 'ops-blocked', dependencies: ['blocked-removals', 'ops-auth', 'error-handler'] })
