/**
 * GET /metrics in Prometheus text (prom-client), on a registry of this app's own. Counters are per
 * process (sum them across instances); the gauges read Redis at scrape time, so any instance
 * reports the shared queue, budget and unresolved users. Optional METRICS_TOKEN.
 */
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { matchesAnySecret } from '../src/secret.js'

export interface SyncMetrics {
  registry: Registry
  webhookRequests: Counter<'source' | 'status'>
  events: Counter<'source' | 'type' | 'outcome'>
  jobs: Counter<'outcome'>
  enerfloCalls: Counter<'status'>
  enerfloRateLimited: Counter
  eventToApplied: Histogram
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: SyncMetrics
  }
}

export default fp(async (app) => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'enerflo_sync_' })
  const metrics: SyncMetrics = {
    registry,
    webhookRequests: new Counter({ name: 'enerflo_sync_webhook_requests_total', help: 'Webhook requests by source and HTTP status', labelNames: ['source', 'status'], registers: [registry] }),
    events: new Counter({ name: 'enerflo_sync_events_total', help: 'Provider events by type and outcome (queued, ignored, no_user, duplicate)', labelNames: ['source', 'type', 'outcome'], registers: [registry] }),
    jobs: new Counter({ name: 'enerflo_sync_jobs_total', help: 'Sync jobs finished by outcome (applied, unchanged, unresolved, gone, shadow, failed, retrying)', labelNames: ['outcome'], registers: [registry] }),
    enerfloCalls: new Counter({ name: 'enerflo_sync_enerflo_requests_total', help: 'Enerflo API answers by status (0: no answer)', labelNames: ['status'], registers: [registry] }),
    enerfloRateLimited: new Counter({ name: 'enerflo_sync_enerflo_rate_limited_total', help: 'Enerflo 429 answers', registers: [registry] }),
    eventToApplied: new Histogram({ name: 'enerflo_sync_event_to_applied_seconds', help: 'From webhook received to Enerflo write acknowledged', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800], registers: [registry] })
  }
  const { syncQueue, budget, store } = app
  new Gauge({
    name: 'enerflo_sync_queue_jobs', help: 'Sync jobs per state', labelNames: ['state'], registers: [registry],
    async collect () {
      const counts = await syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed').catch(() => ({}))
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n)
    }
  })
  new Gauge({
    name: 'enerflo_sync_enerflo_budget_remaining', help: 'Enerflo requests left in the current window', registers: [registry],
    async collect () { const s = await budget.state().catch(() => undefined); if (s !== undefined) this.set(s.remaining) }
  })
  new Gauge({
    name: 'enerflo_sync_unresolved_users', help: 'Users parked without an Enerflo id', registers: [registry],
    async collect () { const u = await store.unresolved(1).catch(() => undefined); if (u !== undefined) this.set(u.count) }
  })
  app.decorate('metrics', metrics)

  app.addHook('onResponse', async (request, reply) => {
    const url = request.routeOptions.url
    if (url?.startsWith('/webhooks/') === true) {
      metrics.webhookRequests.inc({ source: url.split('/')[2] ?? 'unknown', status: String(reply.statusCode) })
    }
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
    return await reply.type(registry.contentType).send(await registry.metrics())
  })
}, { name: 'metrics', dependencies: ['sync-services', 'error-handler', 'auth-failures'] })
