/**
 * Follow-ups for operators (src/sync/follow-ups.ts), shared by the workers (which record one when
 * a write removed the Project Manager role), the ops routes, /status and the metrics.
 */
import fp from 'fastify-plugin'
import { createFollowUps } from '../../src/sync/follow-ups.js'
import { roleSlugTable, slugToName } from '../../src/enerflo/roles.js'
import type { FollowUpWaits } from '../../queues/sync-follow-ups.js'

declare module 'fastify' {
  interface FastifyInstance {
    followUps: FollowUpWaits
  }
}

export default fp(async (app) => {
  // The role by its slug, so a mapping that renames it (roleSlugs) is followed.
  const projectManager = slugToName('projectmanager', roleSlugTable(app.mapping.roleSlugs)) ?? 'Project Manager'
  app.decorate('followUps', { store: createFollowUps(app.redis, app.config.QUEUE_PREFIX), projectManager })
}, { name: 'follow-ups', dependencies: ['sync-services', 'redis'] })
