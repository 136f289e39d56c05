/**
 * Reconciliation runs (DESIGN.md §3): `POST /ops/reconcile` starts one (202 with its id; 409 naming
 * the run already going for that source; `all` starts one per configured source), `GET /ops/reconcile` lists recent runs, `GET
 * /ops/reconcile/{run}` shows one with its progress and counts, `GET .../report` its lines as JSON
 * or CSV. Lines carry ids, actions and field names; reasons are masked unless ?reveal=true.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorReply } from '../core/error-handler.js'
import { StringEnum } from './schemas.js'
import { SyncError } from '../../src/errors.js'
import { maskText } from '../../src/mask.js'
import { enqueueRun } from '../../queues/reconcile-queue.js'
import type { ReportLine } from '../../src/reconcile/runs.js'

const SOURCES = ['okta', 'graph', 'enerflo', 'all'] as const
const MODES = ['incremental', 'full'] as const
const Counts = Type.Record(Type.String(), Type.Integer())
const RunReply = Type.Object({
  id: Type.String(),
  source: Type.String(),
  mode: Type.String(),
  dryRun: Type.Boolean(),
  state: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  progress: Type.Object({ scanned: Type.Integer(), total: Type.Union([Type.Integer(), Type.Null()]), queued: Type.Integer() }),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  report: Counts,
  error: Type.Union([Type.String(), Type.Null()])
})
const Line = Type.Object({ source: Type.String(), id: Type.String(), enerfloId: Type.Union([Type.Integer(), Type.Null()]), action: Type.String(), fields: Type.Array(Type.String()), reason: Type.Optional(Type.String()) })
const RunParams = Type.Object({ run: Type.String({ pattern: '^[0-9a-f-]{36}$', description: 'the run id POST /ops/reconcile answered' }) })

/** The sources this instance can reconcile: Enerflo always, each provider when configured. */
function configuredSources (app: FastifyInstance): Array<'okta' | 'graph' | 'enerflo'> {
  return [...(app.config.okta !== undefined ? ['okta' as const] : []), ...(app.config.graph !== undefined ? ['graph' as const] : []), 'enerflo']
}

const csvCell = (v: string): string => /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v
function toCsv (lines: ReportLine[]): string {
  const rows = lines.map((l) => [l.source, l.id, l.enerfloId === null ? '' : String(l.enerfloId), l.action, l.fields.join(' '), l.reason ?? ''].map(csvCell).join(','))
  return ['source,id,enerflo_id,action,fields,reason', ...rows].join('\n') + '\n'
}

export default fp(async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const notFound = (id: string): SyncError => new SyncError('OPS_NOT_FOUND', `no reconciliation run ${id} (runs are kept 14 days)`, 404)

  r.post('/ops/reconcile', {
    onRequest: app.opsAuth,
    bodyLimit: 4096,
    schema: {
      body: Type.Object({
        source: StringEnum(SOURCES, 'okta, graph, enerflo or all'),
        mode: Type.Optional(StringEnum(MODES, 'incremental (the default) or full')),
        dryRun: Type.Boolean({ default: false })
      }, { additionalProperties: false }),
      response: { 202: Type.Object({ id: Type.String(), ids: Type.Optional(Type.Array(Type.String(), { description: 'source all: one run per configured source (those not already running)' })) }), '4xx': ErrorReply, '5xx': ErrorReply }
    }
  }, async (request, reply) => {
    const { source, dryRun } = request.body
    const mode = request.body.mode ?? 'incremental'
    const configured = configuredSources(app)
    if (source !== 'all' && !configured.includes(source)) {
      throw new SyncError('OPS_BAD_REQUEST', `source ${source} is not configured here; configured: ${configured.join(', ')}${configured.length > 1 ? ' (or all)' : ''}`, 400)
    }
    // `all`: one run per configured source, each with its own lock, so an `all` never runs a
    // second pass beside a source's own run; sources already running keep their run.
    const wanted = source === 'all' ? configured : [source]
    const ids: string[] = []
    const running: string[] = []
    for (const s of wanted) {
      const started = await app.runs.start(s, mode, dryRun)
      if ('running' in started) { running.push(`${s}: ${started.running}`); continue }
      try {
        await enqueueRun(app.reconcileQueue, started.run.id)
      } catch (err) {
        await app.runs.finish(started.run, 'could not be queued (Redis)')
        throw err
      }
      ids.push(started.run.id)
      request.log.info({ runId: started.run.id, source: s, mode, dryRun }, 'reconciliation run started')
    }
    const [first] = ids
    if (first === undefined) {
      const [one] = running
      const id = one?.slice(one.indexOf(': ') + 2) ?? ''
      throw new SyncError('OPS_CONFLICT', `a ${source} run is already going: ${running.join(', ')} (GET /ops/reconcile/${id})`, 409)
    }
    return await reply.code(202).send({ id: first, ...(source === 'all' && { ids }) })
  })

  r.get('/ops/reconcile', {
    onRequest: app.opsAuth,
    schema: { response: { 200: Type.Object({ runs: Type.Array(RunReply) }), '4xx': ErrorReply } }
  }, async () => ({ runs: await app.runs.list() }))

  r.get('/ops/reconcile/:run', {
    onRequest: app.opsAuth,
    schema: { params: RunParams, response: { 200: RunReply, '4xx': ErrorReply } }
  }, async (request) => {
    const run = await app.runs.get(request.params.run)
    if (run === undefined) throw notFound(request.params.run)
    return run
  })

  r.get('/ops/reconcile/:run/report', {
    onRequest: app.opsAuth,
    schema: {
      params: RunParams,
      querystring: Type.Object({ format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }), reveal: Type.Boolean({ default: false }) }, { additionalProperties: false }),
      response: { 200: { description: 'the report: JSON, or CSV with ?format=csv', content: { 'application/json': { schema: Type.Object({ run: RunReply, lines: Type.Array(Line) }) }, 'text/csv': { schema: Type.String() } } }, '4xx': ErrorReply }
    }
  }, async (request, reply) => {
    const run = await app.runs.get(request.params.run)
    if (run === undefined) throw notFound(request.params.run)
    const lines = (await app.runs.report(run.id)).map((l) => request.query.reveal || l.reason === undefined ? l : { ...l, reason: maskText(l.reason) })
    if (request.query.reveal) request.log.info({ runId: run.id }, 'operator revealed a reconciliation report')
    if (request.query.format === 'csv') return await reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="reconcile-${run.id}.csv"`).send(toCsv(lines))
    return await reply.type('application/json; charset=utf-8').send({ run, lines })
  })
}, { name: 'ops-reconcile', dependencies: ['reconcile', 'ops-auth', 'error-handler'] })
