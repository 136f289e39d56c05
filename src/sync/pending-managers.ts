/**
 * A manager not yet in Enerflo (issue 14 item 5): Enerflo refuses a `manager_email` no Enerflo
 * user has. The user's other changes are sent without it (queues/sync-manager.ts) and the manager
 * is kept pending here until the manager exists: the moment the service creates or links an Enerflo
 * user with that email, or writes one that has it, every user waiting for it is synced again
 * (plugins/core/blocked-removals.ts); failing that, every BLOCKED_RETRY_MS, for a manager added in
 * Enerflo by hand.
 *
 * Keys: `<prefix>:{managers}:pending` (hash, user key → JSON), `<prefix>:{managers}:due` (sorted set by
 * next retry) and `<prefix>:{managers}:waiting:<sha256 of the email>` (set of user keys), so no key
 * name carries an address; the email is never logged and /status shows only counts.
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

export interface PendingManager {
  userKey: string
  enerfloId: number
  /** Lower-cased. Personal data: masked wherever it is shown. */
  managerEmail: string
  /** What Enerflo said. */
  enerflo: string
  since: string
  /** The manager may exist now (it arrived, or the retry is due): the next sync sends it again. */
  due: boolean
}

export interface PendingManagers {
  get: (userKey: string) => Promise<PendingManager | undefined>
  refused: (entry: { userKey: string, enerfloId: number, managerEmail: string, enerflo: string }) => Promise<PendingManager>
  clear: (userKey: string) => Promise<void>
  /** An Enerflo user with this email exists now: the users waiting for it, each marked due. */
  arrived: (email: string) => Promise<string[]>
  /** Users whose retry is due, each marked due and moved a retry interval on. */
  takeDue: (now?: number) => Promise<string[]>
  count: () => Promise<number>
}

const norm = (email: string): string => email.trim().toLowerCase()

export function createPendingManagers (redis: Redis, prefix: string, retryMs: number): PendingManagers {
  // One hash tag for all three: their MULTIs must stay in one Redis Cluster slot.
  const hash = `${prefix}:{managers}:pending`
  const due = `${prefix}:{managers}:due`
  const waiting = (email: string): string => `${prefix}:{managers}:waiting:${createHash('sha256').update(norm(email)).digest('hex').slice(0, 32)}`
  const parse = (raw: string | null | undefined): PendingManager | undefined => raw == null ? undefined : JSON.parse(raw) as PendingManager

  const markDue = async (keys: string[]): Promise<void> => {
    for (const k of keys) {
      const e = parse(await redis.hget(hash, k))
      if (e !== undefined) await redis.hset(hash, k, JSON.stringify({ ...e, due: true }))
    }
  }

  const self: PendingManagers = {
    get: async (userKey) => parse(await redis.hget(hash, userKey)),

    async refused ({ userKey, enerfloId, managerEmail, enerflo }) {
      const before = await self.get(userKey)
      const email = norm(managerEmail)
      const now = Date.now()
      const entry: PendingManager = { userKey, enerfloId, managerEmail: email, enerflo: enerflo.slice(0, 500), since: before?.managerEmail === email ? before.since : new Date(now).toISOString(), due: false }
      const m = redis.multi()
      if (before !== undefined && before.managerEmail !== email) m.srem(waiting(before.managerEmail), userKey)
      await m.hset(hash, userKey, JSON.stringify(entry)).sadd(waiting(email), userKey).zadd(due, now + retryMs, userKey).exec()
      return entry
    },

    async clear (userKey) {
      const e = await self.get(userKey)
      const m = redis.multi().hdel(hash, userKey).zrem(due, userKey)
      if (e !== undefined) m.srem(waiting(e.managerEmail), userKey)
      await m.exec()
    },

    async arrived (email) {
      if (norm(email) === '') return []
      const keys = await redis.smembers(waiting(email))
      await markDue(keys)
      return keys
    },

    async takeDue (now = Date.now()) {
      const keys = await redis.zrangebyscore(due, '-inf', now, 'LIMIT', 0, 500)
      if (keys.length === 0) return []
      const m = redis.multi()
      for (const k of keys) m.zadd(due, now + retryMs, k)
      await m.exec()
      await markDue(keys)
      return keys
    },

    count: async () => await redis.hlen(hash)
  }
  return self
}
