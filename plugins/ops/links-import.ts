/**
 * POST /ops/links/import: many identity links at once, as a JSON array or a CSV file (the format
 * GET /ops/links?format=csv gives). Every row is checked as a single link would be (the provider
 * knows the user, the Enerflo user is nobody else's, no two rows claim one Enerflo user) and the
 * answer reports every row. `?dryRun=true` stores nothing; otherwise the good rows are stored and
 * queued and the bad ones say why, so one typo does not sink a thousand links. The large body
 * limit applies only once the token has passed (onRequest).
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorReply } from '../core/error-handler.js'
import { storeJobs } from '../webhooks/store-jobs.js'
import { checkRows, parseCsvRows, type LinkRow } from '../../src/links-import.js'
import { checkLink, mapLimited } from '../../src/sync/link-check.js'
import { userKey } from '../../queues/sync-queue.js'

const IMPORT_LIMIT = 5 * 1024 * 1024
const PROVIDER_CONCURRENCY = 4

const RowReport = Type.Object({
  row: Type.Integer(),
  action: Type.Union([Type.Literal('link'), Type.Literal('unchanged'), Type.Literal('rejected')]),
  userKey: Type.Optional(Type.String()),
  enerfloUserId: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String())
})

type Report = { row: number, action: 'link' | 'unchanged' | 'rejected', userKey?: string, enerfloUserId?: number, reason?: string }

export default fp(async (app) => {
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_LIMIT }, (_request, body, done) => { done(null, body) })
  const deps = { providers: app.providers, linkHolder: app.store.linkHolder }

  /** One row's verdict; `owner` is the first row of this import that claims the same Enerflo user. */
  async function judge (link: LinkRow, owner: string): Promise<Report> {
    const key = userKey(link.source, link.idpUserId)
    const base = { row: link.row, userKey: key, enerfloUserId: link.enerfloUserId }
    if (owner !== key) return { ...base, action: 'rejected', reason: `Enerflo user ${link.enerfloUserId} is claimed by ${owner} earlier in this import` }
    if ((await app.store.get(key)).enerfloId === link.enerfloUserId) return { ...base, action: 'unchanged' }
    const verdict = await checkLink(deps, link.source, link.idpUserId, link.enerfloUserId)
    return verdict.ok ? { ...base, action: 'link' } : { ...base, action: 'rejected', reason: verdict.reason }
  }

  app.withTypeProvider<TypeBoxTypeProvider>().post('/ops/links/import', {
    onRequest: app.opsAuth,
    bodyLimit: IMPORT_LIMIT,
    schema: {
      querystring: Type.Object({ dryRun: Type.Boolean({ default: false }) }, { additionalProperties: false }),
      body: {
        content: {
          'application/json': { schema: Type.Array(Type.Unknown(), { maxItems: 100_000, description: 'rows of {source, idpUserId, enerfloUserId}' }) },
          'text/csv': { schema: Type.String({ maxLength: IMPORT_LIMIT, description: 'header source,idp_user_id,enerflo_user_id, then one link a line' }) }
        }
      },
      response: {
        200: Type.Object({
          dryRun: Type.Boolean(),
          accepted: Type.Integer(),
          queued: Type.Integer(),
          rejected: Type.Array(Type.Object({ row: Type.Integer(), reason: Type.String() })),
          rows: Type.Array(RowReport)
        }),
        '4xx': ErrorReply,
        '5xx': ErrorReply
      }
    }
  }, async (request) => {
    const { dryRun } = request.query
    // The schema admits a CSV string or a JSON array (per content type), nothing else.
    const body = request.body as string | unknown[]
    const rows = typeof body === 'string' ? parseCsvRows(body) : body
    const { links, rejected: malformed } = checkRows(rows)
    // The first row that claims an Enerflo user owns it, however the provider look-ups interleave.
    const owners = new Map<string, string>()
    const claim = (l: LinkRow): string => `${l.source}:${l.enerfloUserId}`
    for (const l of links) if (!owners.has(claim(l))) owners.set(claim(l), userKey(l.source, l.idpUserId))
    const judged = await mapLimited(links, PROVIDER_CONCURRENCY, async (l) => await judge(l, owners.get(claim(l)) ?? ''))
    const reports: Report[] = [...judged, ...malformed.map((r) => ({ row: r.row, action: 'rejected' as const, reason: r.reason }))].sort((a, b) => a.row - b.row)
    const toLink = judged.filter((r) => r.action === 'link')
    if (!dryRun) {
      for (const r of toLink) {
        const linked = await app.store.link(r.userKey as string, r.enerfloUserId as number)
        if (!linked.ok) Object.assign(r, { action: 'rejected', reason: `Enerflo user ${r.enerfloUserId} is already linked to ${linked.holder}` })
      }
      const stored = toLink.filter((r) => r.action === 'link')
      await storeJobs(app, stored.map((r) => {
        const key = r.userKey as string
        const at = key.indexOf(':')
        return { source: key.slice(0, at) as LinkRow['source'], userId: key.slice(at + 1), eventIds: [], receivedAt: Date.now() }
      }))
    }
    const accepted = reports.filter((r) => r.action === 'link').length
    request.log.info({ dryRun, accepted, rejected: reports.filter((r) => r.action === 'rejected').length }, 'identity links imported')
    return {
      dryRun,
      accepted,
      queued: dryRun ? 0 : accepted,
      rejected: reports.filter((r) => r.action === 'rejected').map((r) => ({ row: r.row, reason: r.reason ?? 'rejected' })),
      rows: reports
    }
  })
}, { name: 'ops-links-import', dependencies: ['sync-services', 'providers', 'ops-auth', 'error-handler'] })
