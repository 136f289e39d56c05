/**
 * Blocked role removals in GET /status (issue 14 item 1): how many users keep a role Enerflo will
 * not remove while leads are attributed to them, the first few, and a reason, because only
 * someone reassigning the leads in Enerflo ends it. GET /ops/blocked has Enerflo's words and the fix.
 * Also how many users' manager_email waits for the manager to be an Enerflo user (item 5): no
 * reason for that, since it ends by itself once the manager is created or linked.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'

export const BlockedSection = Type.Object({
  count: Type.Integer({ description: 'users with a role removal Enerflo refuses while leads are attributed to them' }),
  retryEveryMs: Type.Integer({ description: 'BLOCKED_RETRY_MS' }),
  managersPending: Type.Optional(Type.Integer({ description: 'users whose manager_email waits for the manager to be an Enerflo user (everything else was sent)' })),
  users: Type.Array(Type.Object({ userKey: Type.String(), enerfloId: Type.Integer(), roles: Type.Array(Type.String()), since: Type.String(), nextRetryAt: Type.String() }))
}, { description: 'role removals pending until the user\'s leads are reassigned in Enerflo (GET /ops/blocked)' })

export async function blockedSection (app: FastifyInstance, reasons: string[]) {
  const [{ count, removals }, managersPending] = await Promise.all([app.blockedRemovals.list(10), app.pendingManagers.store.count()])
  if (count > 0) {
    reasons.push(`${count} user(s) keep a role Enerflo will not remove while surveys or appointments are attributed to them (everything else was sent): ` +
      'reassign their leads in Enerflo; GET /ops/blocked names each with the fix, and the removal is tried again by itself')
  }
  return {
    count,
    retryEveryMs: app.blockedRemovals.retryMs,
    managersPending,
    users: removals.map(({ userKey, enerfloId, roles, since, nextRetryAt }) => ({ userKey, enerfloId, roles, since, nextRetryAt }))
  }
}
