/**
 * The Graph part of GET /status: the subscription (id, expiry, last renewal, last notification,
 * last "missed" lifecycle notification, last error) and why it makes the service degraded — no
 * subscription, an expired one, or a failing check. Reads Redis only.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()])

export const GraphSubscriptionStatus = Type.Object({
  managed: Type.Boolean({ description: 'false when PUBLIC_URL is unset: the service keeps no subscription' }),
  id: Nullable(Type.String()),
  expiresAt: Nullable(Type.String()),
  lastRenewalAt: Nullable(Type.String()),
  lastNotificationAt: Nullable(Type.String()),
  lastMissedAt: Nullable(Type.String()),
  lastLifecycleEvent: Nullable(Type.String()),
  lastError: Nullable(Type.String())
})

/** The subscription's status; pushes the reasons it makes the service degraded. */
export async function graphSubscriptionStatus (app: FastifyInstance, lastNotificationAt: string | undefined, reasons: string[]) {
  const { graph } = app
  const record = await graph.state.get()
  const orNull = (v: string | undefined): string | null => v === undefined || v === '' ? null : v
  const managed = graph.urls !== undefined
  if (!managed) reasons.push('PUBLIC_URL is unset: no Graph subscription is kept, so Entra ID changes arrive only through one made by hand')
  else if (record.id === undefined) reasons.push('no Graph subscription yet: Entra ID changes are not arriving (see sources.graph.subscription.lastError)')
  else if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= Date.now()) {
    reasons.push(`the Graph subscription expired at ${record.expiresAt}: Entra ID changes are not arriving`)
  } else if (orNull(record.lastError) !== null) reasons.push('the last Graph subscription check failed: see sources.graph.subscription.lastError')
  return {
    managed,
    id: orNull(record.id),
    expiresAt: orNull(record.expiresAt),
    lastRenewalAt: orNull(record.lastRenewalAt),
    lastNotificationAt: orNull(lastNotificationAt),
    lastMissedAt: orNull(record.lastMissedAt),
    lastLifecycleEvent: orNull(record.lastLifecycleEvent),
    lastError: orNull(record.lastError)
  }
}
