/**
 * What Enerflo refused and the service keeps pending: role removals blocked by attributed leads
 * (src/sync/blocked-removals.ts) and managers not yet in Enerflo (src/sync/pending-managers.ts),
 * shared by the workers, the ops routes, /status and the metrics. Where workers run, a sweeper
 * queues a sync of each user whose retry is due every BLOCKED_RETRY_MS (checked at most every
 * minute), in the reconcile lane: a retry is a question Enerflo has answered "no" before, so it goes
 * after live changes and spends the shared budget like any other job. A manager that arrives (the
 * service creates, links or writes an Enerflo user with that email) wakes its users at once.
 */
import fp from 'fastify-plugin'
import { createBlockedRemovals, type BlockedRemovals } from '../../src/sync/blocked-removals.js'
import { createPendingManagers } from '../../src/sync/pending-managers.js'
import type { ManagerWaits } from '../../queues/sync-manager.js'
import { parseUserKey } from '../../src/sync/source.js'
import { enqueueSyncJobs, type SyncJobData } from '../../queues/sync-queue.js'
import type { Lane } from '../../queues/sync-lanes.js'

declare module 'fastify' {
  interface FastifyInstance {
    blockedRemovals: BlockedRemovals & {
      /** Queues a sync of each user key now, in `lane`. */
      queue: (keys: string[], lane: Lane) => Promise<void>
    }
    pendingManagers: ManagerWaits
  }
}

export default fp(async (app) => {
  const { config } = app
  const store = createBlockedRemovals(app.redis, config.QUEUE_PREFIX, config.BLOCKED_RETRY_MS)
  const queue = async (keys: string[], lane: Lane): Promise<void> => {
    const receivedAt = Date.now()
    const jobs: SyncJobData[] = keys.map((k) => ({ ...parseUserKey(k), eventIds: [], receivedAt, lane }))
    await enqueueSyncJobs(app.syncQueue, jobs, { attempts: config.JOB_ATTEMPTS })
  }
  app.decorate('blockedRemovals', { ...store, queue })
  const managers = createPendingManagers(app.redis, config.QUEUE_PREFIX, config.BLOCKED_RETRY_MS)
  app.decorate('pendingManagers', {
    store: managers,
    async arrived (email) {
      if (email === undefined) return
      const keys = await managers.arrived(email)
      if (keys.length === 0) return
      await queue(keys, 'live')
      app.log.info({ users: keys.length }, 'a manager is in Enerflo now: the users waiting for it are synced')
    }
  })
  if (config.SERVICE_ROLE === 'api') return

  const everyMs = Math.max(50, Math.min(60_000, Math.floor(config.BLOCKED_RETRY_MS / 2)))
  let timer: NodeJS.Timeout | undefined
  let sweeping: Promise<void> | undefined
  const sweep = async (): Promise<void> => {
    try {
      const due = await store.takeDue()
      if (due.length > 0) {
        await queue(due, 'reconcile')
        app.log.info({ users: due.length }, 'blocked role removals due: syncs queued to try them again')
      }
      const managersDue = await managers.takeDue()
      if (managersDue.length > 0) await queue(managersDue, 'reconcile')
    } catch (err) {
      app.log.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, 'blocked role removals: retry sweep failed (Redis); tried again next round')
    }
  }
  app.addHook('onReady', async () => {
    timer = setInterval(() => { sweeping ??= sweep().finally(() => { sweeping = undefined }) }, everyMs)
    timer.unref()
  })
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await sweeping
  })
}, { name: 'blocked-removals', dependencies: ['sync-services', 'redis'] })
