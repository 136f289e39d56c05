/**
 * GET /metrics in Prometheus text (prom-client), on a registry of this app's own. Counters are per
 * process (sum them across instances); the gauges read Redis at scrape time, so any instance
 * reports the shared queue, budget and unresolved users. Optional METRICS_TOKEN.
 *
 * `enerflo_sync_redis_up` says whether Redis answered a PING at this scrape. While it is 0 the
 * Redis-derived gauges are left out of the scrape rather than repeating what Redis said last:
 * Prometheus then marks those series stale, and no dashboard shows an old queue as the current
 * one. The in-process counters stay: they are this process's own and are never stale.
 */
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { createHolds } from '../../src/sync/holds.js'
import { createBlockedRemovals } from '../../src/sync/blocked-removals.js'
import { createPendingManagers } from '../../src/sync/pending-managers.js'
import { createFollowUps } from '../../src/sync/follow-ups.js'
import { matchesAnySecret } from '../../src/secret.js'
import type { FastifyInstance } from 'fastify'

/** A scrape must not hang on a Redis that accepts connections but does not answer. */
const REDIS_PROBE_MS = 1000

/**
 * Counts kept for a counter on the webhook path. prom-client's `inc` validates and hashes its
 * labels on every call (about 2 µs each, two per delivery); here a count is a number in nested
 * Maps, found by the label values the caller already has (no key is built per call), and the
 * counter takes what was counted whenever it is read (a scrape, or a test's `get()`, both run the
 * counter's `collect`). The keys are the label values in order (a counter with two labels passes
 * '' as the third); the labels object is kept from a key's first count.
 */
type Entry<L extends string> = { labels: Record<L, string>, n: number }
export class Tally<L extends string> {
  private readonly pending = new Map<string, Map<string | number, Map<string, Entry<L>>>>()

  add (a: string, b: string | number, c: string, labels: Record<L, string>, n = 1): void {
    let byB = this.pending.get(a)
    if (byB === undefined) { byB = new Map(); this.pending.set(a, byB) }
    let byC = byB.get(b)
    if (byC === undefined) { byC = new Map(); byB.set(b, byC) }
    const entry = byC.get(c)
    if (entry === undefined) byC.set(c, { labels, n })
    else entry.n += n
  }

  /** Moves what was counted into the counter (its `collect`). */
  drain (counter: Counter<L>): void {
    for (const byB of this.pending.values()) {
      for (const byC of byB.values()) {
        for (const entry of byC.values()) {
          if (entry.n > 0) counter.inc(entry.labels as Partial<Record<L, string>>, entry.n)
          entry.n = 0
        }
      }
    }
  }
}

/** A counter whose hot-path counts go through a Tally first. */
function tallied<L extends string> (tally: Tally<L>, config: { name: string, help: string, labelNames: L[], registers: Registry[] }): Counter<L> {
  return new Counter<L>({ ...config, collect () { tally.drain(this) } })
}

export interface SyncMetrics {
  registry: Registry
  webhookRequests: Counter<'source' | 'status'>
  events: Counter<'source' | 'type' | 'outcome'>
  /** The webhook path's counts of `events` (keys: source, type, outcome). */
  eventTally: Tally<'source' | 'type' | 'outcome'>
  jobs: Counter<'outcome'>
  enerfloCalls: Counter<'status'>
  enerfloRateLimited: Counter
  /** Role removals Enerflo refused for attributed leads (each refusal, the first and each retry). */
  blockedRemovals: Counter
  eventToApplied: Histogram
}

/** How many provider events of one delivery went which way. */
export interface EventCounts { queued?: number, group?: number, ignored?: number, no_user?: number, rejected?: number }

/**
 * Counts one delivery's events in enerflo_sync_events_total, the counter every receiver shares,
 * so Okta and Graph read alike on one dashboard.
 */
export function countEvents (metrics: SyncMetrics, source: string, type: string, counts: EventCounts): void {
  for (const outcome of OUTCOMES) {
    const n = counts[outcome]
    if (n !== undefined && n > 0) metrics.eventTally.add(source, type, outcome, { source, type, outcome }, n)
  }
}
const OUTCOMES = ['queued', 'group', 'ignored', 'no_user', 'rejected'] as const satisfies ReadonlyArray<keyof EventCounts>

/** 1 when Redis answers PING within REDIS_PROBE_MS. */
async function redisAnswers (app: FastifyInstance): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), REDIS_PROBE_MS) })
  try {
    return await Promise.race([app.redis.ping().then(() => true, () => false), late])
  } finally { clearTimeout(timer) }
}

/** The Redis-derived gauges, in a registry of this scrape's own: absent unless Redis answered. */
async function redisGauges (app: FastifyInstance, up: boolean): Promise<Registry> {
  const registry = new Registry()
  new Gauge({ name: 'enerflo_sync_redis_up', help: '1 when Redis answered PING at this scrape, 0 when not (the Redis-derived gauges are then absent)', registers: [registry] }).set(up ? 1 : 0)
  if (!up) return registry
  const [counts, budget, unresolved, holds, blocked, managers, followUps] = await Promise.all([
    app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed').catch(() => undefined),
    app.budget.state().catch(() => undefined),
    app.store.unresolved(1).catch(() => undefined),
    createHolds(app.redis, app.config.QUEUE_PREFIX).summary().catch(() => undefined),
    createBlockedRemovals(app.redis, app.config.QUEUE_PREFIX, app.config.BLOCKED_RETRY_MS).count().catch(() => undefined),
    createPendingManagers(app.redis, app.config.QUEUE_PREFIX, app.config.BLOCKED_RETRY_MS).count().catch(() => undefined),
    createFollowUps(app.redis, app.config.QUEUE_PREFIX).openCount().catch(() => undefined)
  ])
  if (counts !== undefined) {
    const g = new Gauge({ name: 'enerflo_sync_queue_jobs', help: 'Sync jobs per state', labelNames: ['state'], registers: [registry] })
    for (const [state, n] of Object.entries(counts)) g.set({ state }, n)
  }
  if (budget !== undefined) new Gauge({ name: 'enerflo_sync_enerflo_budget_remaining', help: 'Enerflo requests left in the current window', registers: [registry] }).set(budget.remaining)
  if (unresolved !== undefined) new Gauge({ name: 'enerflo_sync_unresolved_users', help: 'Users parked without an Enerflo id', registers: [registry] }).set(unresolved.count)
  if (holds !== undefined) new Gauge({ name: 'enerflo_sync_holds_waiting', help: 'Users whose destructive changes the brake holds until an operator releases or discards the hold', registers: [registry] }).set(holds.waiting)
  if (blocked !== undefined) new Gauge({ name: 'enerflo_sync_blocked_role_removals', help: 'Users with a role removal Enerflo refuses while leads are attributed to them (pending, retried every BLOCKED_RETRY_MS)', registers: [registry] }).set(blocked)
  if (managers !== undefined) new Gauge({ name: 'enerflo_sync_pending_managers', help: 'Users whose manager_email waits for the manager to be an Enerflo user (everything else was sent)', registers: [registry] }).set(managers)
  if (followUps !== undefined) new Gauge({ name: 'enerflo_sync_follow_ups_open', help: 'Follow-ups waiting for an operator (a Project Manager removed in Enerflo: remove them as a project contact on their installs)', registers: [registry] }).set(followUps)
  return registry
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: SyncMetrics
  }
}

export default fp(async (app) => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'enerflo_sync_' })
  const requestTally = new Tally<'source' | 'status'>()
  const eventTally = new Tally<'source' | 'type' | 'outcome'>()
  const metrics: SyncMetrics = {
    registry,
    webhookRequests: tallied(requestTally, { name: 'enerflo_sync_webhook_requests_total', help: 'Webhook requests by source and HTTP status', labelNames: ['source', 'status'], registers: [registry] }),
    events: tallied(eventTally, { name: 'enerflo_sync_events_total', help: 'Provider events by source, type and outcome (queued, ignored, no_user, duplicate, rejected)', labelNames: ['source', 'type', 'outcome'], registers: [registry] }),
    eventTally,
    jobs: new Counter({ name: 'enerflo_sync_jobs_total', help: 'Sync jobs finished by outcome (applied, unchanged, blocked, held, unresolved, gone, shadow, failed, retrying)', labelNames: ['outcome'], registers: [registry] }),
    enerfloCalls: new Counter({ name: 'enerflo_sync_enerflo_requests_total', help: 'Enerflo API answers by status (0: no answer)', labelNames: ['status'], registers: [registry] }),
    enerfloRateLimited: new Counter({ name: 'enerflo_sync_enerflo_rate_limited_total', help: 'Enerflo 429 answers', registers: [registry] }),
    blockedRemovals: new Counter({ name: 'enerflo_sync_blocked_role_removals_total', help: 'Role removals Enerflo refused because leads are attributed to the user (the rest of each write was sent)', registers: [registry] }),
    eventToApplied: new Histogram({ name: 'enerflo_sync_event_to_applied_seconds', help: 'From webhook received to Enerflo write acknowledged', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800], registers: [registry] })
  }
  app.decorate('metrics', metrics)

  // A callback hook: it runs on every request, and an async one costs a promise each time.
  app.addHook('onResponse', (request, reply, done) => {
    const source = (request.routeOptions.config as { source?: string } | undefined)?.source
    if (source !== undefined) requestTally.add(source, reply.statusCode, '', { source, status: String(reply.statusCode) })
    done()
  })

  const token = app.config.METRICS_TOKEN
  app.get('/metrics', {
    schema: { hide: true },
    preValidation: async (request, reply) => {
      if (token === undefined) return
      const header = request.headers.authorization
      if (!matchesAnySecret(header?.startsWith('Bearer ') === true ? header.slice(7) : undefined, [token])) {
        app.rejectAuth(request, reply, 'OPS_AUTH', 'send Authorization: Bearer <METRICS_TOKEN>')
      }
    }
  }, async (_request, reply) => {
    const [own, fromRedis] = await Promise.all([registry.metrics(), redisAnswers(app).then(async (up) => await (await redisGauges(app, up)).metrics())])
    // prom-client writes NaN as `Nan` (the event-loop lag of a scrape that follows another within
    // its 10 ms sampling): the text format spells it `NaN`, and strict parsers take nothing else.
    return await reply.type(registry.contentType).send((own + fromRedis).replace(/ Nan$/gm, ' NaN'))
  })
}, { name: 'metrics', dependencies: ['sync-services', 'error-handler', 'auth-failures'] })
