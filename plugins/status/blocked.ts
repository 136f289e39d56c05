/**
 * Blocked role removals in GET /status (issue 14 item 1): how many users keep a role Enerflo will
 * not remove while leads are attributed to them, the first few, and a reason, because only
 * someone reassigning the leads in Enerflo ends it. GET /ops/blocked has Enerflo's words and the fix.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'

export const BlockedSection = Type.Object({
  count: Type.Integer({ description: 'users with a role removal Enerflo refuses while leads are attributed to them' }),
  retryEveryMs: Type.Integer({ description: 'BLOCKED_RETRY_MS' }),
  users: Type.Array(Type.Object({ userKey: Type.String(), enerfloId: Type.Integer(), roles: Type.Array(Type.String()), since: Type.String(), nextRetryAt: Type.String() }))
}, { description: 'role removals pending until the user\'s leads are reassigned in Enerflo (GET /ops/blocked)' })

export async function blockedSection (app: FastifyInstance, reasons: string[]) {
  const { count, removals } = await app.blockedRemovals.list(10)
  if (count > 0) {
    reasons.push(`${count} user(s) keep a role Enerflo will not remove while surveys or appointments are attributed to them (everything else was sent): ` +
      'reassign their leads in Enerflo; GET /ops/blocked names each with the fix, and the removal is tried again by itself')
  }
  return {
    count,
    retryEveryMs: app.blockedRemovals.retryMs,
    users: removals.map(({ userKey, enerfloId, roles, since, nextRetryAt }) => ({ userKey, enerfloId, roles, since, nextRetryAt }))
  }
}
