/**
 * The brake's part of GET /status: the open hold, if any, and how many users it holds. A hold
 * waiting is a reason the service is degraded: someone must say yes or no to it.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { createHolds } from '../../src/sync/holds.js'

export const HoldsSection = Type.Object({
  open: Type.Union([Type.String(), Type.Null()], { description: 'the open hold\'s id (GET /ops/holds)' }),
  waiting: Type.Integer({ description: 'users whose destructive changes the open hold keeps back' }),
  since: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'why the open hold began: which count passed which limit' }))
})

export async function holdsSection (app: FastifyInstance, reasons: string[]): Promise<{ open: string | null, waiting: number, since: string | null, reason: string | null }> {
  const summary = await createHolds(app.redis, app.config.QUEUE_PREFIX).summary()
  if (summary.open !== null) {
    reasons.push(`the brake holds the destructive changes of ${summary.waiting} user(s) (hold ${summary.open}, since ${summary.since ?? 'unknown'}): review GET /ops/holds, then release or discard it`)
  }
  return summary
}
