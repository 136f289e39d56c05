/**
 * One place that turns a failed secret check into an answer: 401 normally, 429 with retry-after
 * once an address has failed too often (src/auth-guard.ts). Every receiver and operator route
 * calls `app.rejectAuth` when its secret does not match; a matching secret never comes here.
 */
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { createAuthGuard } from '../../src/auth-guard.js'
import { SyncError, type ErrorCode } from '../../src/errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    rejectAuth: (request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message: string) => never
  }
}

/** Failures allowed per client address per window before answers turn to 429. */
export const AUTH_FAILURES_MAX = 30
export const AUTH_FAILURES_WINDOW_MS = 60_000

export default fp(async (app) => {
  const guard = createAuthGuard({ max: AUTH_FAILURES_MAX, windowMs: AUTH_FAILURES_WINDOW_MS })
  app.decorate('rejectAuth', (request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message: string): never => {
    const waitMs = guard.fail(request.ip)
    if (waitMs > 0) {
      void reply.header('retry-after', String(Math.ceil(waitMs / 1000)))
      throw new SyncError('AUTH_RATE_LIMITED', `too many failed authentications from this address; try again in ${Math.ceil(waitMs / 1000)} s`, 429)
    }
    throw new SyncError(code, message, 401)
  })
}, { name: 'auth-failures' })
