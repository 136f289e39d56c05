/**
 * What the brake holds (DESIGN.md §3, README "The brake"): `GET /ops/holds` lists the holds, newest
 * first, each with its reason, users and their pending destructive changes; `POST
 * /ops/holds/{id}/release` lets them through, as a whole, in the deactivate lane; `POST
 * .../discard` drops them, as a whole, and says so in each user's audit trail. An unknown hold is
 * a 404 and a finished one a 409, each saying which.
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { ErrorReply } from '../core/error-handler.js'
import { SyncError } from '../../src/errors.js'
import { createHolds, type Hold } from '../../src/sync/holds.js'
import { storeJobs } from '../webhooks/store-jobs.js'
import type { Source } from '../../src/sync/source.js'

const HeldChange = Type.Object({
  userKey: Type.String(),
  enerfloId: Type.Integer(),
  at: Type.String(),
  deactivate: Type.Boolean(),
  removedRoles: Type.Array(Type.String())
})
const HoldReply = Type.Object({
  id: Type.String(),
  state: Type.Union([Type.Literal('open'), Type.Literal('released'), Type.Literal('discarded')]),
  reason: Type.String(),
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  users: Type.Array(HeldChange)
})
const Params = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,12}$', description: 'the hold id GET /ops/holds shows' }) })
const Finished = Type.Object({ id: Type.String(), state: Type.String(), users: Type.Integer(), queued: Type.Integer() })

const source = (userKey: string): { source: Source, userId: string } => {
  const at = userKey.indexOf(':')
  return { source: userKey.slice(0, at) as Source, userId: userKey.slice(at + 1) }
}

/** What an operator's discard writes into each user's trail. */
async function recordDiscard (app: FastifyInstance, hold: Hold): Promise<void> {
  const at = new Date().toISOString()
  for (let i = 0; i < hold.users.length; i += 100) {
    await Promise.all(hold.users.slice(i, i + 100).map(async (u) => {
      const what = [u.deactivate ? 'deactivation' : '', u.removedRoles.length > 0 ? `removal of ${u.removedRoles.join(', ')}` : ''].filter(Boolean).join(' and ')
      await app.store.recordOutcome(u.userKey, { at, outcome: 'discarded', eventIds: [], notes: [`${what} discarded by an operator (hold ${hold.id}): not applied while the provider keeps asking for it`] })
    }))
  }
}

export default fp(async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const holds = createHolds(app.redis, app.config.QUEUE_PREFIX)

  const refused = (id: string, why: 'missing' | 'released' | 'discarded'): SyncError => why === 'missing'
    ? new SyncError('OPS_NOT_FOUND', `no hold ${id}: GET /ops/holds lists them`, 404)
    : new SyncError('OPS_CONFLICT', `hold ${id} is already ${why}: a hold is released or discarded once, as a whole`, 409)

  r.get('/ops/holds', {
    onRequest: app.opsAuth,
    schema: { response: { 200: Type.Object({ open: Type.Union([Type.String(), Type.Null()]), holds: Type.Array(HoldReply) }), '4xx': ErrorReply, '5xx': ErrorReply } }
  }, async () => {
    const [list, summary] = await Promise.all([holds.list(), holds.summary()])
    return { open: summary.open, holds: list.map((h) => ({ ...h, users: h.users.map(({ sig: _sig, ...u }) => u) })) }
  })

  r.post('/ops/holds/:id/release', {
    onRequest: app.opsAuth,
    schema: { params: Params, response: { 200: Finished, '4xx': ErrorReply, '5xx': ErrorReply } }
  }, async (request) => {
    const { id } = request.params
    const done = await holds.release(id)
    if (!done.ok) throw refused(id, done.why)
    // Each user's sync reads the provider again: what is applied is the provider's state now.
    const jobs = done.hold.users.map((u) => ({ ...source(u.userKey), eventIds: [], receivedAt: Date.now() }))
    await storeJobs(app, jobs, 'deactivate')
    request.log.warn({ hold: id, users: jobs.length }, 'hold released by an operator')
    return { id, state: 'released', users: jobs.length, queued: jobs.length }
  })

  r.post('/ops/holds/:id/discard', {
    onRequest: app.opsAuth,
    schema: { params: Params, response: { 200: Finished, '4xx': ErrorReply, '5xx': ErrorReply } }
  }, async (request) => {
    const { id } = request.params
    const done = await holds.discard(id)
    if (!done.ok) throw refused(id, done.why)
    await recordDiscard(app, done.hold)
    request.log.warn({ hold: id, users: done.hold.users.length }, 'hold discarded by an operator')
    return { id, state: 'discarded', users: done.hold.users.length, queued: 0 }
  })
}, { name: 'ops-holds', dependencies: ['sync-services', 'ops-auth'] })
