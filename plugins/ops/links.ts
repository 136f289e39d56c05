/**
 * Identity links for users the provider cannot name an Enerflo id for. `PUT` stores a link only
 * when the provider knows the user (404 otherwise) and the Enerflo user is not another identity's
 * (409), then queues the user (so a parked user syncs at once); `DELETE` removes one (404 when
 * there is none); `GET /ops/links` lists every link (JSON, or CSV in exactly the format the
 * import takes, so an export can be reviewed and fed back unchanged); `GET /ops/unresolved` lists
 * who is waiting for one. The bulk import is links-import.ts. All need OPS_TOKEN, checked before
 * the body is read.
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorReply } from '../core/error-handler.js'
import { storeJobs } from '../webhooks/store-jobs.js'
import { EnerfloUserId, Paging, SourceParam, UserParams } from './schemas.js'
import { SyncError } from '../../src/errors.js'
import { checkLink, type LinkVerdict } from '../../src/sync/link-check.js'
import { userKey, type Source } from '../../queues/sync-queue.js'

const Link = Type.Object({ userKey: Type.String(), enerfloUserId: Type.Integer(), queued: Type.Boolean() })
const StoredLink = Type.Object({ source: SourceParam, idpUserId: Type.String(), enerfloUserId: Type.Integer(), userKey: Type.String() })
const LINK_SOURCES = ['okta', 'graph', 'scim'] as const
const JSON_PAGE = 50
const JSON_MAX = 500
const csvCell = (v: string): string => /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v

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

  r.get('/ops/links', {
    onRequest: app.opsAuth,
    schema: {
      querystring: Type.Object({
        source: Type.Optional(SourceParam),
        format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
        offset: Paging.offset,
        // No default here: a CSV export without ?limit is every link, so it round-trips whole.
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'at most this many (JSON: default 50, at most 500; CSV: default every link)' }))
      }, { additionalProperties: false }),
      response: {
        200: {
          description: 'the links, ordered by source and provider id: JSON, or with ?format=csv the import format (source,idp_user_id,enerflo_user_id)',
          content: {
            'application/json': { schema: Type.Object({ total: Type.Integer(), links: Type.Array(StoredLink) }) },
            'text/csv': { schema: Type.String() }
          }
        },
        '4xx': ErrorReply,
        '5xx': ErrorReply
      }
    }
  }, async (request, reply) => {
    const { source, format, offset } = request.query
    const all: Array<{ source: Source, idpUserId: string, enerfloUserId: number, userKey: string }> = []
    for (const s of source === undefined ? LINK_SOURCES : [source]) {
      for (const [enerfloUserId, key] of await app.store.links(s)) all.push({ source: s, idpUserId: key.slice(key.indexOf(':') + 1), enerfloUserId, userKey: key })
    }
    // A stable order, so paging neither repeats nor skips a link between requests.
    all.sort((a, b) => a.source.localeCompare(b.source) || (a.idpUserId < b.idpUserId ? -1 : a.idpUserId > b.idpUserId ? 1 : 0))
    if (format === 'csv') {
      const page = all.slice(offset, request.query.limit === undefined ? undefined : offset + request.query.limit)
      const rows = page.map((l) => [l.source, l.idpUserId, String(l.enerfloUserId)].map(csvCell).join(','))
      return await reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="links.csv"')
        .send(['source,idp_user_id,enerflo_user_id', ...rows].join('\n') + '\n')
    }
    const limit = Math.min(request.query.limit ?? JSON_PAGE, JSON_MAX)
    return await reply.type('application/json; charset=utf-8').send({ total: all.length, links: all.slice(offset, offset + limit) })
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
