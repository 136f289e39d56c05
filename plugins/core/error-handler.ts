/**
 * One error handler for every route: typed errors keep their status and code, Fastify's own
 * client errors (415, 413, 400 from the schema) keep theirs with a clear message, a Redis that
 * cannot take a write becomes 503, and anything else is a 500 that hides its internals.
 */
import { STATUS_CODES } from 'node:http'
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { SyncError } from '../../src/errors.js'
import { statName, type StatArea } from '../../src/sync/stats.js'
import { rejectionReason } from '../status/sources.js'

export const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String()
})

const REDIS_DOWN = /Stream isn't writeable|Connection is closed|ECONNREFUSED|ETIMEDOUT|MaxRetriesPerRequestError|Reached the max retries|enableOfflineQueue/i

const titles: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 408: 'Request Timeout', 409: 'Conflict', 405: 'Method Not Allowed', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error', 503: 'Service Unavailable' }
// Which part of the request a schema rejected, in the words of the message.
const parts: Record<string, string> = { body: 'body', querystring: 'query string', params: 'path', headers: 'headers' }

/** A schema failure's code: the receivers' own, the operator routes' own, else a generic one. */
function validationCode (url: string): string {
  if (url.startsWith('/webhooks/')) return 'WEBHOOK_BODY'
  return url === '/status' || url.startsWith('/ops/') ? 'OPS_BAD_REQUEST' : 'BAD_REQUEST'
}

/** For an enum that failed, the values it allows: a 400 should say what would have been right. */
function allowed (validation: unknown): string {
  const first = Array.isArray(validation) ? validation[0] as { keyword?: string, params?: { allowedValues?: unknown[] } } | undefined : undefined
  const values = first?.keyword === 'enum' ? first.params?.allowedValues : undefined
  return Array.isArray(values) ? ` (${values.map(String).join(', ')})` : ''
}

export default fp(async (app) => {
  /**
   * Counts a rejected receiver request for /status, best effort: Redis may be why it failed. The
   * route says whose it is (`config.source`); other routes' rejections are not source counters.
   */
  const countRejection = (request: FastifyRequest, status: number, aborted: boolean): void => {
    const source = (request.routeOptions.config as { source?: StatArea } | undefined)?.source
    if (source === undefined || !app.hasDecorator('stats')) return
    // A client that hung up mid-body sent nothing malformed: count it apart from rejections.
    const reason = aborted ? undefined : rejectionReason(status)
    if (aborted) app.stats.bump({ [statName.aborted(source)]: 1 })
    else if (reason !== undefined) app.stats.bump({ [statName.rejected(source, reason)]: 1 })
  }
  app.setErrorHandler(async (err: Error & { statusCode?: number, code?: string, validation?: unknown, validationContext?: string }, request, reply) => {
    let status = 500
    let code = 'INTERNAL'
    let message = 'internal error'
    if (err instanceof SyncError) {
      status = err.statusCode; code = err.code; message = err.message
    } else if (err.validation !== undefined) {
      // Query strings and paths fail too (operator routes): say which part, not always "body".
      const part = err.validationContext ?? 'body'
      status = 400; code = validationCode(request.routeOptions.url ?? ''); message = `invalid ${parts[part] ?? part}: ${err.message}${allowed(err.validation)}`
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode; code = err.code ?? 'BAD_REQUEST'; message = err.message
    } else if (REDIS_DOWN.test(err.message) || err.name === 'MaxRetriesPerRequestError') {
      status = 503; code = 'QUEUE_UNAVAILABLE'; message = 'the queue (Redis) is unavailable; try again'
    }
    // Enough to trace a growing rejection counter back to a client, and no more: the route's
    // pattern (never the raw URL, which can hold ids and tokens), the method and the address.
    const where = { method: request.method, route: request.routeOptions.url ?? 'unknown', client: request.ip }
    const aborted = request.raw.aborted || (err as { code?: string }).code === 'ECONNRESET'
    if (status >= 500) request.log.error({ err: { message: err.message, name: err.name, code: err.code }, ...where }, 'request failed')
    else request.log.info({ code, status, ...where, ...(aborted && { aborted }) }, aborted ? 'request aborted by the client' : 'request rejected')
    if (status === 503) void reply.header('retry-after', '5')
    countRejection(request, status, aborted)
    return await reply.code(status).send({ statusCode: status, code, error: titles[status] ?? STATUS_CODES[status] ?? 'Error', message })
  })
  // An unknown route is answered from its request line alone: its body is never read or parsed.
  // A callback hook: it runs on every request, and an async one costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.is404) { void sendNotFound(request, reply); return }
    done()
  })
  const sendNotFound = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const what = `no route ${request.method} ${request.url.split('?')[0] ?? ''}`
    // A SCIM client reads SCIM's error schema (RFC 7644 §3.12) for every answer under /scim/.
    if (request.url.startsWith('/scim/')) {
      return await reply.code(404).header('content-type', 'application/scim+json; charset=utf-8')
        .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: what })
    }
    return await reply.code(404).send({ statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: what })
  }
  app.setNotFoundHandler(sendNotFound)
}, { name: 'error-handler' })
