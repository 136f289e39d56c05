/**
 * What this service remembers about its Graph subscription, in Redis (one hash per deployment):
 * the id and expiry, when it was created and last renewed, which client state it carries (as a
 * hash), and when Graph last sent a notification or said it missed some. /status reads it.
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

export interface SubscriptionRecord {
  id: string | undefined
  expiresAt: string | undefined
  createdAt: string | undefined
  lastRenewalAt: string | undefined
  clientStateHash: string | undefined
  lastNotificationAt: string | undefined
  lastMissedAt: string | undefined
  lastLifecycleEvent: string | undefined
  lastError: string | undefined
}

const FIELDS = ['id', 'expiresAt', 'createdAt', 'lastRenewalAt', 'clientStateHash', 'lastNotificationAt', 'lastMissedAt', 'lastLifecycleEvent', 'lastError'] as const

/** Compared, never shown: the client state itself is a secret. */
export const clientStateHash = (state: string): string => createHash('sha256').update(state, 'utf8').digest('hex').slice(0, 16)

export function createSubscriptionState (redis: Redis, prefix: string) {
  const key = `${prefix}:graph:subscription`
  return {
    key,
    async get (): Promise<SubscriptionRecord> {
      const values = await redis.hmget(key, ...FIELDS)
      const out: Record<string, string | undefined> = {}
      FIELDS.forEach((f, i) => { out[f] = values[i] ?? undefined })
      return out as unknown as SubscriptionRecord
    },
    async save (fields: Partial<Record<typeof FIELDS[number], string>>): Promise<void> {
      const entries = Object.entries(fields).filter(([, v]) => v !== undefined).flat() as string[]
      if (entries.length > 0) await redis.hset(key, ...entries)
    },
    /** Forgets the subscription (not the notification history). */
    async clear (): Promise<void> {
      await redis.hdel(key, 'id', 'expiresAt', 'createdAt', 'lastRenewalAt', 'clientStateHash')
    }
  }
}

export type SubscriptionState = ReturnType<typeof createSubscriptionState>

/** Which client state each group subscription carries (as a hash), keyed by subscription id. */
export function createGroupSubscriptionHashes (redis: Redis, prefix: string) {
  const key = `${prefix}:graph:group-subscriptions`
  return {
    async get (id: string): Promise<string | undefined> { return (await redis.hget(key, id)) ?? undefined },
    async set (id: string, hash: string): Promise<void> { await redis.hset(key, id, hash) },
    async remove (id: string): Promise<void> { await redis.hdel(key, id) }
  }
}
