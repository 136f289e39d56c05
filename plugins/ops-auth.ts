/**
 * `Authorization: Bearer <OPS_TOKEN>` for operator routes, compared in constant time. Registered
 * routes call `app.opsAuth` as their preValidation hook.
 */
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { matchesAnySecret } from '../src/secret.js'
import { SyncError } from '../src/errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    opsAuth: (request: FastifyRequest) => Promise<void>
  }
}

export default fp(async (app, opts: { token: string | undefined, required: boolean }) => {
  app.decorate('opsAuth', async (request: FastifyRequest) => {
    if (opts.token === undefined) {
      if (opts.required) throw new SyncError('WEBHOOK_AUTH', 'operator routes are off: set OPS_TOKEN to use them', 404)
      return
    }
    const header = request.headers.authorization
    const token = header?.startsWith('Bearer ') === true ? header.slice(7) : undefined
    if (!matchesAnySecret(token, [opts.token])) {
      throw new SyncError('WEBHOOK_AUTH', 'send Authorization: Bearer <OPS_TOKEN>', 401)
    }
  })
}, { name: 'ops-auth' })
