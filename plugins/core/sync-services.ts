/**
 * The domain objects every other plugin shares: the state store, the Enerflo budget, the queue
 * (producer side) and, when this process runs workers, the provider sources and Enerflo client.
 */
import fp from 'fastify-plugin'
import { Queue } from 'bullmq'
import type { Config } from '../../src/config.js'
import type { Mapping } from '../../src/mapping/mapping-file.js'
import { createBudget, type Budget } from '../../src/sync/budget.js'
import { createStateStore, type StateStore } from '../../src/sync/state-store.js'
import { createStats, type Stats } from '../../src/sync/stats.js'
import { createDirectory, type Directory } from '../../src/enerflo/directory.js'
import { keptRoleNames, roleSlugTable } from '../../src/enerflo/roles.js'
import type { RoleRules } from '../../src/sync/baseline.js'
import type { ResolveOptions } from '../../src/sync/resolve.js'
import { SYNC_QUEUE, type SyncJobData } from '../../queues/sync-queue.js'
import { DELIVERY_JOB_DEFAULTS, DELIVERY_QUEUE, type DeliveryJobData } from '../../queues/delivery-queue.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    mapping: Mapping
    store: StateStore
    stats: Stats
    /** Enerflo's user list as last read (src/enerflo/directory.ts). */
    directory: Directory
    /** MATCH_BY_EMAIL, CREATE_USERS. */
    resolveOptions: ResolveOptions
    /** The roles the mapping manages, and those Enerflo keeps itself. */
    roleRules: RoleRules
    budget: Budget
    syncQueue: Queue<SyncJobData>
    /** What the webhook receivers store: one job per delivery, fanned out by the delivery worker. */
    deliveryQueue: Queue<DeliveryJobData>
  }
}

export default fp(async (app, opts: { config: Config, mapping: Mapping }) => {
  const { config } = opts
  app.decorate('config', config)
  app.decorate('mapping', opts.mapping)
  app.decorate('store', createStateStore(app.redis, config.QUEUE_PREFIX, {
    auditMaxEntries: config.AUDIT_MAX_ENTRIES, auditMaxAgeDays: config.AUDIT_MAX_AGE_DAYS
  }))
  app.decorate('directory', createDirectory(app.redis, config.QUEUE_PREFIX))
  app.decorate('resolveOptions', { matchByEmail: config.MATCH_BY_EMAIL === 'true', createUsers: config.CREATE_USERS === 'true' })
  app.decorate('roleRules', {
    managed: new Set(opts.mapping.roles.flatMap((r) => r.roles)),
    kept: new Set(keptRoleNames(roleSlugTable(opts.mapping.roleSlugs)))
  })
  app.decorate('stats', createStats(app.redis, config.QUEUE_PREFIX, (err) => app.log.warn({ err: { name: err.name, message: err.message } }, 'counters not updated')))
  app.decorate('budget', createBudget(app.redis, {
    prefix: config.QUEUE_PREFIX, max: config.ENERFLO_RATE_LIMIT_MAX, windowMs: config.ENERFLO_RATE_LIMIT_WINDOW_MS
  }))
  const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: app.redisQueue, prefix: config.QUEUE_PREFIX })
  queue.on('error', (err) => app.log.warn({ err: { name: err.name, message: err.message } }, 'queue error'))
  app.decorate('syncQueue', queue)
  const deliveries = new Queue<DeliveryJobData>(DELIVERY_QUEUE, { connection: app.redisQueue, prefix: config.QUEUE_PREFIX, defaultJobOptions: DELIVERY_JOB_DEFAULTS })
  deliveries.on('error', (err) => app.log.warn({ err: { name: err.name, message: err.message } }, 'delivery queue error'))
  app.decorate('deliveryQueue', deliveries)
  app.addHook('onClose', async () => { await Promise.all([queue.close(), deliveries.close()]) })
}, { name: 'sync-services', dependencies: ['redis'] })
