/**
 * What every /scim/v2 route shares, installed in the SCIM routes' own Fastify context: the bearer
 * token checked from the headers alone before a byte of the body is read (401, or 429 for an
 * address that keeps failing), the hardened JSON parser for `application/scim+json` and
 * `application/json`, and one error handler that answers in SCIM's error schema (RFC 7644 §3.12)
 * with `application/scim+json`, whatever failed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { parseJsonBody } from '../../src/json-body.js'
import { matchesAnySecret } from '../../src/secret.js'
import { SyncError } from '../../src/errors.js'
import { scimError, type ScimProblem, type ScimType } from '../../src/scim/problem.js'
import { statName } from '../../src/sync/stats.js'
import { rejectionReason } from '../status/sources.js'

export const SCIM_BASE = '/scim/v2'
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8'
export const SCIM_BODY_LIMIT = 256 * 1024

/** A SCIM answer that is not a success, thrown by a route and answered by the context's handler. */
export class ScimHttpError extends Error {
  readonly problem: { status: number, scimType?: ScimType, detail: string }
  constructor (problem: ScimProblem | { status: number, scimType?: ScimType, detail: string }) {
    super(problem.detail)
    this.name = 'ScimHttpError'
    this.problem = problem
  }
}

export const notFound = (what: string): ScimHttpError => new ScimHttpError({ status: 404, detail: `${what} not found` })

/** The error body for any status (scimError types the ones a body reader can produce). */
export function errorBody (status: number, detail: string, scimType?: ScimType): ReturnType<typeof scimError> {
  return { ...scimError({ status: 400, detail, ...(scimType !== undefined && { scimType }) }), status: String(status) }
}

/** The query parameters a SCIM route reads, each a single string. */
const QUERY_PARAMETERS = ['filter', 'startIndex', 'count', 'attributes', 'excludedAttributes']

/**
 * A parameter given twice arrives as an array, which no reader expects (a repeated `filter` or
 * `attributes` was a 500): refused as the client's mistake, in SCIM's terms.
 */
function repeatedQuery (query: unknown): ScimHttpError | undefined {
  if (query === null || typeof query !== 'object') return undefined
  const name = QUERY_PARAMETERS.find((n) => { const v = (query as Record<string, unknown>)[n]; return v !== undefined && typeof v !== 'string' })
  if (name === undefined) return undefined
  return new ScimHttpError({ status: 400, scimType: name === 'filter' ? 'invalidFilter' : 'invalidValue', detail: `the query parameter ${name} is given more than once; send it once` })
}

export function installScimContext (app: FastifyInstance, token: string): void {
  for (const type of ['application/json', 'application/scim+json']) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type)
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: SCIM_BODY_LIMIT }, (_request, body, done) => {
      // A DELETE or GET may carry the content type and no body (Entra's do): nothing to parse.
      if (body === '') { done(null, undefined); return }
      try {
        done(null, parseJsonBody(body as string))
      } catch (err) {
        done(new ScimHttpError({ status: 400, scimType: 'invalidSyntax', detail: (err as Error).message }), undefined)
      }
    })
  }

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const header = request.headers.authorization
    const presented = typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : undefined
    if (matchesAnySecret(presented, [token])) { done(repeatedQuery(request.query)); return }
    app.stats.bump({ [statName.rejected('scim', 'auth')]: 1 })
    void reply.header('www-authenticate', 'Bearer realm="scim"')
    try {
      app.rejectAuth(request, reply, 'WEBHOOK_AUTH', 'send Authorization: Bearer <SCIM_TOKEN>')
    } catch (err) {
      done(err as Error)
    }
  })

  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type')
    if (typeof type === 'string' && type.startsWith('application/json')) void reply.header('content-type', SCIM_CONTENT_TYPE)
    return payload
  })

  app.setErrorHandler(async (err: Error & { statusCode?: number, code?: string, validation?: unknown }, request, reply) => {
    let status = 500
    let detail = 'internal error'
    let scimType: ScimType | undefined
    if (err instanceof ScimHttpError) {
      ({ status, detail, scimType } = err.problem)
    } else if (err instanceof SyncError) {
      status = err.statusCode; detail = err.message
    } else if (err.validation !== undefined) {
      status = 400; scimType = 'invalidValue'; detail = `invalid request: ${err.message}`
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode; detail = err.message
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') detail = 'send the body as application/scim+json (or application/json)'
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') detail = `the body is larger than ${SCIM_BODY_LIMIT} bytes`
      if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') { scimType = 'invalidSyntax'; detail = 'the body is empty' }
    } else if (/Connection is closed|ECONNREFUSED|MaxRetriesPerRequest|Stream isn't writeable|enableOfflineQueue/i.test(err.message)) {
      status = 503; detail = 'the store (Redis) is unavailable; nothing was stored, try again'
    }
    const where = { method: request.method, route: request.routeOptions.url ?? 'unknown', client: request.ip }
    if (status >= 500) request.log.error({ err: { name: err.name, message: err.message }, ...where }, 'SCIM request failed')
    else request.log.info({ status, scimType, ...where }, 'SCIM request refused')
    const reason = rejectionReason(status)
    if (status !== 401 && reason !== undefined) app.stats.bump({ [statName.rejected('scim', reason)]: 1 })
    if (status === 503) void reply.header('retry-after', '5')
    return await reply.code(status).header('content-type', SCIM_CONTENT_TYPE).send(errorBody(status, detail, scimType))
  })
}

/** `Location` and `meta.location` base: the address the client used. */
export function baseUrl (request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${SCIM_BASE}`
}
