/**
 * Follow-ups in GET /status (issue 14 item 2): how many wait for an operator, the oldest few, and
 * a reason while any is open, because only a person working in Enerflo ends one.
 * GET /ops/follow-ups has each one's instructions and links.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'

export const FollowUpsSection = Type.Object({
  open: Type.Integer({ description: 'follow-ups not yet marked done' }),
  items: Type.Array(Type.Object({ id: Type.String(), userKey: Type.String(), enerfloId: Type.Integer(), who: Type.String(), role: Type.String(), recipe: Type.String(), createdAt: Type.String() }))
}, { description: 'work Enerflo asks of a person after a write (a Project Manager removed: remove them as a project contact on their installs); GET /ops/follow-ups' })

export async function followUpsSection (app: FastifyInstance, reasons: string[]) {
  const { open, followUps } = await app.followUps.store.list(0)
  if (open > 0) {
    reasons.push(`${open} follow-up(s) wait for an operator: a Project Manager role was removed, and Enerflo asks that the user also be removed as a project contact on their installs; ` +
      'GET /ops/follow-ups names each user with Enerflo\'s recipe; mark one done with POST /ops/follow-ups/{id}/done')
  }
  return { open, items: followUps.slice(0, 10).map(({ id, userKey, enerfloId, who, role, recipe, createdAt }) => ({ id, userKey, enerfloId, who, role, recipe, createdAt })) }
}
