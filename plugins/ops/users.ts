/**
 * One user as the service sees it: the Enerflo link, the state last applied, the audit trail
 * (masked unless ?reveal=true), and a preview of what a sync would send now — fetched from the
 * provider, mapped and diffed, with nothing sent or recorded.
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorReply } from '../core/error-handler.js'
import { UserParams } from './schemas.js'
import { SyncError } from '../../src/errors.js'
import { maskChanges, maskFields } from '../../src/mask.js'
import { isParked, planSync } from '../../src/sync/plan.js'
import { userKey } from '../../queues/sync-queue.js'

// Free-form objects: the audit and applied state are the service's own records, serialised whole.
const Obj = Type.Object({}, { additionalProperties: true })

export default fp(async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get('/ops/users/:source/:idpUserId', {
    onRequest: app.opsAuth,
    schema: {
      params: UserParams,
      querystring: Type.Object({ reveal: Type.Boolean({ default: false }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({ userKey: Type.String(), enerfloUserId: Type.Union([Type.Integer(), Type.Null()]), unresolved: Type.Boolean(), applied: Type.Union([Obj, Type.Null()]), audit: Type.Array(Obj) }),
        '4xx': ErrorReply
      }
    }
  }, async (request) => {
    const key = userKey(request.params.source, request.params.idpUserId)
    const reveal = request.query.reveal
    const [record, trail, unresolved] = await Promise.all([app.store.get(key), app.store.auditTrail(key), app.store.isUnresolved(key)])
    if (record.enerfloId === undefined && trail.length === 0 && !unresolved) {
      throw new SyncError('OPS_NOT_FOUND', `nothing is known about ${key}: no link, no sync yet`, 404)
    }
    if (reveal) request.log.info({ userKey: key }, 'operator revealed personal data in an audit trail')
    return {
      userKey: key,
      enerfloUserId: record.enerfloId ?? null,
      unresolved,
      applied: record.applied === undefined ? null : reveal ? record.applied : maskFields(record.applied),
      audit: trail.map((e) => reveal
        ? e
        : { ...e, ...(e.changes !== undefined ? { changes: maskChanges(e.changes) } : {}), ...(e.wouldSend !== undefined ? { wouldSend: maskFields(e.wouldSend) } : {}) })
    }
  })

  r.get('/ops/preview/:source/:idpUserId', {
    onRequest: app.opsAuth,
    schema: {
      params: UserParams,
      response: {
        200: Type.Object({
          userKey: Type.String(),
          outcome: Type.String(),
          enerfloUserId: Type.Union([Type.Integer(), Type.Null()]),
          wouldSend: Type.Union([Obj, Type.Null()]),
          resolvedBy: Type.Union([Type.String({ description: 'how the Enerflo user was found: attribute, link, email, create; or why not: unresolved, ambiguous, conflict, unknown-id' }), Type.Null()]),
          reason: Type.String(),
          notes: Type.Array(Type.String())
        }),
        '4xx': ErrorReply,
        '5xx': ErrorReply
      }
    }
  }, async (request) => {
    const { source, idpUserId } = request.params
    const provider = app.providers[source]
    if (provider === undefined) throw new SyncError('OPS_NOT_FOUND', `source ${source} is not configured on this instance`, 404)
    const key = userKey(source, idpUserId)
    const plan = await planSync({ provider, store: app.store, directory: app.directory, options: app.resolveOptions, roles: app.roleRules }, key, idpUserId)
    const read = await app.directory.info()
    const directory = read === undefined ? 'Enerflo\'s user list has not been read yet (POST /ops/reconcile {"source":"enerflo"})' : `Enerflo's user list as read at ${read.readAt}`
    const notes = [...plan.notes, directory]
    if (isParked(plan)) return { userKey: key, outcome: plan.kind, resolvedBy: plan.why ?? null, enerfloUserId: null, wouldSend: null, reason: plan.reason, notes }
    if (plan.kind === 'create') return { userKey: key, outcome: 'create', resolvedBy: 'create', enerfloUserId: null, wouldSend: null, reason: plan.reason, notes }
    return { userKey: key, outcome: plan.kind, resolvedBy: plan.how, enerfloUserId: plan.enerfloId, wouldSend: plan.body === undefined ? null : { ...plan.body }, reason: plan.reason, notes }
  })
}, { name: 'ops-users', dependencies: ['sync-services', 'providers', 'ops-auth', 'error-handler'] })
