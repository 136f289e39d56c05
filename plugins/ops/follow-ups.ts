/**
 * Follow-ups for operators (README "What Enerflo refuses, and what the service does then"):
 * `GET /ops/follow-ups` lists the open ones, oldest first, then the most recent done ones;
 * `POST /ops/follow-ups/{id}/done` marks one done. An unknown id is a 404 and one already done a
 * 409, each saying which.
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorReply } from '../core/error-handler.js'
import { SyncError } from '../../src/errors.js'

export const FollowUpReply = Type.Object({
  id: Type.String(),
  reason: Type.String({ description: 'project-manager-removed: the Project Manager role was removed in Enerflo' }),
  userKey: Type.String(),
  enerfloId: Type.Integer(),
  who: Type.String({ description: 'the user\'s name as Enerflo holds it, else the masked email' }),
  role: Type.String(),
  todo: Type.String({ description: 'what to do in Enerflo' }),
  recipe: Type.String({ description: 'Enerflo\'s recipe for it' }),
  links: Type.Array(Type.String(), { description: 'Enerflo\'s documentation pages' }),
  notAutomatic: Type.String({ description: 'why the service does not do it itself' }),
  createdAt: Type.String(),
  done: Type.Boolean(),
  doneAt: Type.Union([Type.String(), Type.Null()])
})

const Params = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,12}$', description: 'the follow-up id GET /ops/follow-ups shows' }) })

export default fp(async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const { store } = app.followUps

  r.get('/ops/follow-ups', {
    onRequest: app.opsAuth,
    schema: {
      description: 'Work Enerflo asks of a person after a write the service made (removing a Project Manager as a project contact on their installs): open ones first, oldest first, then recent done ones.',
      querystring: Type.Object({ done: Type.Integer({ minimum: 0, maximum: 200, default: 20, description: 'how many done ones to show, newest first' }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ open: Type.Integer(), followUps: Type.Array(FollowUpReply) }), '4xx': ErrorReply, '5xx': ErrorReply }
    }
  }, async (request) => await store.list(request.query.done))

  r.post('/ops/follow-ups/:id/done', {
    onRequest: app.opsAuth,
    schema: {
      description: 'Mark a follow-up done, once the work in Enerflo is done.',
      params: Params,
      response: { 200: FollowUpReply, '4xx': ErrorReply, '5xx': ErrorReply }
    }
  }, async (request) => {
    const { id } = request.params
    const result = await store.done(id)
    if (!result.ok && result.why === 'missing') throw new SyncError('OPS_NOT_FOUND', `no follow-up ${id}: GET /ops/follow-ups lists them`, 404)
    if (!result.ok) throw new SyncError('OPS_CONFLICT', `follow-up ${id} was already marked done at ${result.followUp.doneAt ?? 'an unknown time'}: nothing changed`, 409)
    request.log.info({ followUp: id, userKey: result.followUp.userKey }, 'operator marked a follow-up done')
    return result.followUp
  })
}, { name: 'ops-follow-ups', dependencies: ['follow-ups', 'ops-auth', 'error-handler'] })
