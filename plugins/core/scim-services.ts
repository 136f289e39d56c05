/**
 * The SCIM store (src/scim/store.ts) as `app.scimStore`, the source `scim` for the workers, and
 * the sweeper that makes sure no accepted SCIM write is left without its sync job: a write marks
 * its users dirty in the same script that stores it, the route clears the mark once the job is
 * confirmed queued, and whatever is still marked one sweep later (the queue failed in between, or
 * the process died) is queued here. Jobs are level-triggered, so a second job costs nothing.
 */
import fp from 'fastify-plugin'
import { createScimStore, type ScimStore } from '../../src/scim/store.js'
import { createScimSource } from '../../src/sync/scim-source.js'
import { isActive } from '../../src/scim/user-body.js'
import type { SyncJobData } from '../../queues/sync-queue.js'
import { storeJobs } from '../webhooks/store-jobs.js'

declare module 'fastify' {
  interface FastifyInstance {
    scimStore: ScimStore
    /** Queues the sync jobs of a SCIM write and clears its dirty marks; throws (503) when it cannot. */
    queueScimUsers: (marks: ReadonlyArray<{ id: string, seq: number }>, deactivate?: ReadonlySet<string>) => Promise<void>
  }
}

const SWEEP_BATCH = 500

export default fp(async (app) => {
  const store = createScimStore(app.redis, app.config.QUEUE_PREFIX)
  app.decorate('scimStore', store)
  app.providers.scim = createScimSource(store, app.mapping)

  const queue = async (marks: ReadonlyArray<{ id: string, seq: number }>, deactivate?: ReadonlySet<string>): Promise<void> => {
    if (marks.length === 0) return
    const receivedAt = Date.now()
    const jobs: SyncJobData[] = marks.map(({ id: userId }) => ({ source: 'scim', userId, eventIds: [], receivedAt, ...(deactivate?.has(userId) === true && { lane: 'deactivate' as const }) }))
    await storeJobs(app, jobs)
    // Counted as a provider's events are, for /status (best effort, after the jobs are stored).
    app.stats.bump({ 'scim.events.user-change': jobs.length, 'scim.jobs.enqueued': jobs.length })
    app.redis.hset(app.stats.lastEventHash, 'scim', new Date(receivedAt).toISOString()).catch(() => {})
    // The jobs are stored; a mark left behind only means one more (harmless) job at the next sweep.
    store.clean(marks).catch((err: Error) => { app.log.warn({ err: { name: err.name, message: err.message } }, 'could not clear SCIM dirty marks') })
  }
  app.decorate('queueScimUsers', queue)

  if (app.config.SERVICE_ROLE === 'worker') return
  const sweepMs = app.config.SCIM_SWEEP_MS
  // Only marks at least one sweep old: a newer one still belongs to a request in flight.
  let seenUpTo = 0
  const sweep = async (): Promise<void> => {
    const current = await store.seq()
    const due = (await store.dirty(SWEEP_BATCH)).filter((d) => d.seq <= seenUpTo)
    seenUpTo = current
    if (due.length === 0) return
    const users = await store.getUsers(due.map((d) => d.id))
    const inactive = new Set(users.filter((u) => !isActive(u.attrs)).map((u) => u.id))
    const present = new Set(users.map((u) => u.id))
    // A dirty id with no document is a deleted user: its job deactivates.
    for (const d of due) if (!present.has(d.id)) inactive.add(d.id)
    await queue(due, inactive)
    app.log.info({ users: due.length }, 'SCIM sweep queued users whose job was not confirmed')
  }
  let running: Promise<void> | undefined
  const timer = setInterval(() => {
    if (running !== undefined) return
    running = sweep().catch((err: Error) => { app.log.warn({ err: { name: err.name, message: err.message } }, 'SCIM sweep failed; next try in one interval') }).finally(() => { running = undefined })
  }, sweepMs)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await running
  })
}, { name: 'scim-services', dependencies: ['providers', 'sync-services'] })
