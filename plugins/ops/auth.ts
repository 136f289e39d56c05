/**
 * `Authorization: Bearer <OPS_TOKEN>` for /status and every /ops/* route, compared in constant
 * time. With no OPS_TOKEN those routes are off (404): nothing about users is ever served without
 * a token. Routes use `app.opsAuth` as their preValidation hook.
 */
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { matchesAnySecret } from '../../src/secret.js'
import { SyncError } from '../../src/errors.js'
import { statName } from '../../src/sync/stats.js'

declare module 'fastify' {
  interface FastifyInstance {
    opsAuth: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

export default fp(async (app, opts: { token: string | undefined }) => {
  app.decorate('opsAuth', async (request: FastifyRequest, reply: FastifyReply) => {
    if (opts.token === undefined) {
      throw new SyncError('OPS_OFF', 'operator routes are off: set OPS_TOKEN on the service to use them', 404)
    }
    const header = request.headers.authorization
    const token = header?.startsWith('Bearer ') === true ? header.slice(7) : undefined
    if (!matchesAnySecret(token, [opts.token])) {
      app.stats.bump({ [statName.rejected('ops', 'auth')]: 1 })
      app.rejectAuth(request, reply, 'OPS_AUTH', 'send Authorization: Bearer <OPS_TOKEN>')
    }
  })
}, { name: 'ops-auth', dependencies: ['auth-failures', 'sync-services'] })
