/**
 * GET /status: what an operator needs at a glance — is Redis there, how much work waits, how much
 * of Enerflo's budget is left, what failed last and why, who is parked as unresolved, and the
 * reconciliation runs (the one going and the last per source).
 * Needs `Authorization: Bearer <OPS_TOKEN>` when OPS_TOKEN is set.
 */
import fp from 'fastify-plugin'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { readRedisInfo } from '../core/redis.js'
import { ErrorReply } from '../core/error-handler.js'
import { StatusReply } from './schema.js'
import { sourceSummary } from './sources.js'
import { VERSION } from '../../src/version.js'
import { CLI } from '../../src/sync/failure-advice.js'
import { maskText } from '../../src/mask.js'
import { graphSubscriptionStatus } from './graph.js'
import { failureSection, retryingSection } from './failures.js'
import { nextRuns, reconcileSection } from './reconcile.js'
import { holdsSection } from './holds.js'
import { blockedSection } from './blocked.js'
import { followUpsSection } from './follow-ups.js'
import { credentialsSection } from './credentials.js'
import { downReply } from './down.js'
import { redirectBrowsers } from './page.js'
import { Type } from '@sinclair/typebox'

const started = Date.now()

export default fp(async (app) => {
  const { config } = app
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  r.get('/status', {
    schema: {
      querystring: Type.Object({ reveal: Type.Boolean({ default: false, description: 'show emails and phones in failure reasons unmasked' }) }),
      response: { 200: StatusReply, '4xx': ErrorReply }
    },
    onRequest: [redirectBrowsers, app.opsAuth]
  }, async (request) => {
    const { reveal } = request.query
    if (reveal) request.log.info('operator revealed personal data in /status')
    const reasons: string[] = []
    const t0 = process.hrtime.bigint()
    const reachable = await app.redis.ping().then(() => true, () => false)
    const latencyMs = Number(process.hrtime.bigint() - t0) / 1e6
    if (!reachable) return downReply(app, Math.round((Date.now() - started) / 1000))
    const [info, counts, deliveries, oldest, budget, last, unresolved, stats, lastEvents, failures, retrying, runs, recent] = await Promise.all([
      readRedisInfo(app.redis),
      app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'),
      app.deliveryQueue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
      app.syncQueue.getWaiting(0, 0),
      app.budget.state(),
      app.store.lastOutcomes(),
      app.store.unresolved(20),
      app.store.stats(),
      app.redis.hgetall(app.stats.lastEventHash),
      failureSection(app, reveal),
      retryingSection(app, reveal),
      app.runs.list(),
      app.store.recent(10)
    ])
    if (info.maxmemoryPolicy !== 'noeviction') reasons.push(`Redis maxmemory-policy is ${info.maxmemoryPolicy ?? 'unknown'}: set noeviction or queued changes can be evicted`)
    // A stock Redis has AOF off: expected for the sandbox's demo, a real risk anywhere else.
    if (info.aof !== true && !app.config.sandbox) reasons.push('Redis AOF is off: a Redis restart loses queued changes; fix: redis-cli CONFIG SET appendonly yes && redis-cli CONFIG REWRITE (or appendonly yes, appendfsync everysec in redis.conf)')
    if (failures.total > 0) {
      const top = failures.groups.slice(0, 3).map((g) => `${g.count} × ${g.title}`).join('; ')
      reasons.push(`${failures.total} user(s) failed to sync: ${top}${failures.groups.length > 3 ? '; …' : ''} (each with its fix under failures)`)
    } else if ((counts.failed ?? 0) > 0) {
      reasons.push(`${counts.failed ?? 0} older dead letter(s) wait for a decision: ${CLI} failed, then retry or discard`)
    }
    // Deliveries the receivers stored that the delivery worker has not yet made sync jobs of.
    const deliveriesPending = (deliveries.waiting ?? 0) + (deliveries.active ?? 0) + (deliveries.delayed ?? 0)
    if ((deliveries.delayed ?? 0) > 0) reasons.push(`${deliveries.delayed ?? 0} stored deliveries wait to be fanned out again after a Redis error; they are retried until Redis takes them`)
    if ((deliveries.failed ?? 0) > 0) reasons.push(`${deliveries.failed ?? 0} stored deliveries were never fanned out (every try failed): their users are queued by the next reconciliation run, or now with POST /ops/reconcile`)
    const next = retrying.jobs[0]
    if (next !== undefined) reasons.push(`${retrying.total} job(s) wait to retry after errors (${next.lastError ?? 'delayed'}); the next runs at ${next.nextRunAt ?? 'an unknown time'}`)
    if (unresolved.count > 0) reasons.push(`${unresolved.count} user(s) have no Enerflo user yet (no match, several, or a conflict): GET /ops/unresolved gives each one's reason and fix`)
    const reconcile = reconcileSection(runs, reveal, await nextRuns(app.reconcileQueue, app.config))
    for (const r of Object.values(reconcile.last)) if (r.state === 'failed') reasons.push(`the last ${r.source} reconciliation run failed: ${r.error ?? 'no reason recorded'}`)
    if (budget.pausedUntil !== undefined) reasons.push('Enerflo asked us to wait (429 or no requests remaining): workers are paused')
    const holds = await holdsSection(app, reasons)
    const blockedRemovals = await blockedSection(app, reasons)
    const followUps = await followUpsSection(app, reasons)
    const credentials = await credentialsSection(app, reasons)
    const worker = app.hasDecorator('syncWorker') ? app.syncWorker : undefined
    if (worker !== undefined && !worker.isRunning()) reasons.push('workers in this process are not running')
    const graphSubscription = app.hasDecorator('graph') ? await graphSubscriptionStatus(app, lastEvents.graph, reasons) : undefined
    // The SCIM store's size, and how many written users still wait for the sweeper to queue them.
    const scimStore = app.hasDecorator('scimStore') ? await app.scimStore.counts().then(({ users, groups, dirty }) => ({ users, groups, unqueued: dirty })) : undefined
    const oldestJob = oldest[0]
    const sourceStats = (source: string): Record<string, number> => Object.fromEntries(
      Object.entries(stats).filter(([k]) => k.startsWith(`${source}.`)).map(([k, v]) => [k.slice(source.length + 1), v]))
    return {
      status: reasons.length === 0 ? 'ok' as const : 'degraded' as const,
      reasons,
      mode: config.sandbox ? 'sandbox' as const : 'live' as const,
      role: config.SERVICE_ROLE,
      syncMode: config.SYNC_MODE,
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      // Work still to do, if every job needs an Enerflo call, at the budget's pace: an upper bound.
      // A delivery not yet fanned out is one job at least.
      drainEtaSeconds: Math.ceil((deliveriesPending + (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0)) * budget.windowMs / budget.limit / 1000),
      redis: { reachable, latencyMs, maxmemoryPolicy: info.maxmemoryPolicy ?? 'unknown', aof: info.aof === true, version: info.version ?? 'unknown' },
      queue: { ...counts, deliveries: deliveriesPending, deliveriesFailed: deliveries.failed ?? 0, oldestWaitingAgeMs: oldestJob === undefined ? null : Date.now() - oldestJob.timestamp },
      enerflo: {
        baseUrl: new URL(config.ENERFLO_BASE_URL).origin,
        budget: { ...budget, pausedUntil: budget.pausedUntil === undefined ? null : new Date(budget.pausedUntil).toISOString() },
        lastSuccess: last.success ?? null,
        // Enerflo's reasons can quote an email or a phone.
        lastFailure: last.failure === undefined ? null : { ...last.failure, ...(last.failure.message !== undefined && !reveal && { message: maskText(last.failure.message) }) }
      },
      sources: {
        okta: { configured: config.okta !== undefined, lastEventAt: lastEvents.okta ?? null, counts: sourceStats('okta'), ...sourceSummary(stats, 'okta') },
        graph: { configured: config.graph !== undefined, lastEventAt: lastEvents.graph ?? null, counts: sourceStats('graph'), ...sourceSummary(stats, 'graph'), ...(graphSubscription !== undefined && { subscription: graphSubscription }) },
        scim: { configured: config.scim !== undefined, lastEventAt: lastEvents.scim ?? null, counts: sourceStats('scim'), ...sourceSummary(stats, 'scim'), ...(scimStore !== undefined && { store: scimStore }) }
      },
      sync: sourceStats('sync'),
      unresolved,
      recent,
      failures,
      retrying,
      reconcile,
      holds,
      blockedRemovals,
      followUps,
      credentials
    }
  })
}, { name: 'status', dependencies: ['sync-services', 'reconcile', 'error-handler', 'ops-auth', 'blocked-removals', 'follow-ups'] })
