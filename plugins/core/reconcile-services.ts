/**
 * Reconciliation's services: the run records (src/reconcile/runs.ts), the queue that carries a
 * run to a worker process and, where this process runs workers, the worker that runs the passes:
 * each run goes to its source's pass (enerflo, okta, graph), all of which queue sync jobs in the
 * reconcile lane and never write to Enerflo themselves.
 */
import fp from 'fastify-plugin'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Queue, Worker } from 'bullmq'
import { workerConnection } from './redis.js'
import { createRuns, type Run, type Runs } from '../../src/reconcile/runs.js'
import { runEnerfloPass } from '../../src/reconcile/enerflo-pass.js'
import { runOktaPass } from '../../src/reconcile/okta-pass.js'
import { runGraphPass } from '../../src/reconcile/graph-pass.js'
import { createWatermarks } from '../../src/reconcile/watermarks.js'
import { forecastBrake } from '../../src/reconcile/brake-forecast.js'
import { createOktaClient } from '../../src/okta/client.js'
import type { Source } from '../../src/sync/source.js'
import { createReconcileQueue, enqueueRun, schedulePasses, type ReconcileJob, type ScheduledSource } from '../../queues/reconcile-queue.js'
import { createReconcileWorker } from '../../queues/reconcile-worker.js'
import { storeJobs } from '../webhooks/store-jobs.js'

declare module 'fastify' {
  interface FastifyInstance {
    runs: Runs
    reconcileQueue: Queue<ReconcileJob>
  }
}

export default fp(async (app) => {
  const { config } = app
  app.decorate('runs', createRuns(app.redis, config.QUEUE_PREFIX))
  const queue = createReconcileQueue(app.redisQueue, config.QUEUE_PREFIX)
  queue.on('error', (err) => app.log.warn({ err: { name: err.name, message: err.message } }, 'reconcile queue error'))
  app.decorate('reconcileQueue', queue)
  let worker: Worker<ReconcileJob> | undefined
  if (config.SERVICE_ROLE !== 'api') {
    const { enerflo } = app
    const listUsers = enerflo.listUsers
    const sources = (Object.keys(app.providers) as Source[])
    const acquire = async (): Promise<void> => {
      for (let wait = await app.budget.acquire(); wait > 0; wait = await app.budget.acquire()) await sleep(wait)
    }
    const enqueue = async (users: Array<{ source: Source, userId: string }>): Promise<void> => {
      await storeJobs(app, users.map((u) => ({ ...u, eventIds: [], receivedAt: Date.now() })), 'reconcile')
    }
    const watermarks = createWatermarks(app.redis, config.QUEUE_PREFIX)
    const base = { store: app.store, directory: app.directory, options: app.resolveOptions, roles: app.roleRules }
    // The passes' own client, on the workers' limiter: it waits for a slot however long it takes
    // and waits out a 429, where a job's client gives its wait back to BullMQ.
    const okta = config.okta === undefined ? undefined : createOktaClient({ baseUrl: config.okta.orgUrl, token: config.okta.apiToken, limiter: app.oktaLimiter, maxWaitMs: Infinity, throttleWaits: 5 })
    if (okta !== undefined) app.addHook('onClose', async () => { await okta.close() })
    const brake = { windowMs: config.BRAKE_WINDOW_MS, maxPercent: config.BRAKE_MAX_PERCENT, minUsers: config.BRAKE_MIN_USERS }
    const pass = async (run: Run): Promise<void> => {
      // A dry run reports what the brake would hold; a live pass's jobs meet the brake itself.
      const forecast = run.dryRun ? await forecastBrake(app.redis, config.QUEUE_PREFIX, brake) : undefined
      const plan = forecast === undefined ? base : { ...base, brake: forecast }
      if (run.source === 'okta' && okta !== undefined) {
        await runOktaPass({ okta, mapping: app.mapping, plan, runs: app.runs, watermarks, enqueue }, run)
        return
      }
      if (run.source === 'graph' && config.graph !== undefined) {
        await runGraphPass({ graph: app.graph.client.forPasses, mapping: app.mapping, plan, runs: app.runs, watermarks, enqueue, log: app.log }, run)
        return
      }
      if (run.source !== 'enerflo' || listUsers === undefined) throw new Error(`no ${run.source} pass on this worker`)
      await runEnerfloPass({
        directory: app.directory, store: app.store, runs: app.runs, enerflo: { listUsers }, acquire, enqueue, sources, managedRoles: app.roleRules.managed,
        ...(forecast !== undefined && { brake: forecast })
      }, run)
    }
    const connection = workerConnection(config.redis)
    worker = createReconcileWorker({ connection, prefix: config.QUEUE_PREFIX, runs: app.runs, pass, logger: app.log.child({ component: 'reconcile' }) })
    worker.on('error', (err) => app.log.warn({ err: { name: err.name, message: err.message } }, 'reconcile worker error'))
    const scheduled: ScheduledSource[] = [...(okta !== undefined ? ['okta' as const] : []), ...(config.graph !== undefined ? ['graph' as const] : [])]
    app.addHook('onReady', async () => {
      void worker?.run()
      schedulePasses(queue, scheduled, { incremental: config.RECONCILE_INTERVAL_MS, full: config.RECONCILE_FULL_INTERVAL_MS })
        .catch((err: Error) => app.log.warn({ err: { name: err.name, message: err.message } }, 'could not set the reconciliation schedules'))
      // Sandbox: until Enerflo's list has been read nobody can be matched by email, and the demo's
      // people without an Enerflo id should link on the first delivery. Read it once now, as a dry
      // run anyone can see in GET /ops/reconcile (it writes and queues nothing). A live deployment
      // starts with the operator's own dry run (README, "Connecting an existing Enerflo company").
      firstRead().catch((err: Error) => app.log.warn({ err: { name: err.name, message: err.message } }, 'could not start the first read of Enerflo\'s user list'))
    })
    const firstRead = async (): Promise<void> => {
      if (!config.sandbox || listUsers === undefined || await app.directory.info() !== undefined) return
      const started = await app.runs.start('enerflo', 'full', true)
      if ('run' in started) await enqueueRun(queue, started.run.id)
    }
    // Without Redis a worker cannot hand its run back and would wait forever: close it at once
    // (the run's lock expires and the run can be asked for again).
    app.addHook('onClose', async () => { await worker?.close(connection.status !== 'ready'); connection.disconnect() })
  }
  app.addHook('onClose', async () => { await queue.close() })
}, { name: 'reconcile', dependencies: ['sync-services', 'providers'] })
