/**
 * Role removals Enerflo refuses while surveys or appointments are attributed to the user (issue
 * 14 item 1), kept per user in Redis until they go through: which roles, Enerflo's own words,
 * what fixes it, and when it is tried next. The rest of the user's changes are sent without them
 * (queues/sync-blocked.ts); a sweeper (plugins/core/blocked-retry.ts) queues a sync of each user
 * whose retry is due, and an operator can make one or all due now.
 *
 * Keys: `<prefix>:{blocked}` (hash, user key → JSON) and `<prefix>:{blocked}:due` (sorted set, user key
 * scored by the next retry in epoch ms). Only role names, ids and Enerflo's message: no personal data.
 */
import type { Redis } from 'ioredis'

export interface BlockedRemoval {
  userKey: string
  enerfloId: number
  /** Role Names Enerflo refused to remove. */
  roles: string[]
  /** What Enerflo said, as it said it (trimmed). */
  enerflo: string
  /** What an operator does about it. */
  fix: string
  /** When Enerflo first refused. */
  since: string
  /** When Enerflo last refused. */
  lastRefusedAt: string
  /** Refusals so far (the first included). */
  refusals: number
  nextRetryAt: string
}

export interface BlockedRemovals {
  get: (userKey: string) => Promise<BlockedRemoval | undefined>
  /** Records a refusal (a new one, or another for the same user), due again in retryMs. */
  refused: (entry: { userKey: string, enerfloId: number, roles: string[], enerflo: string, fix: string }) => Promise<BlockedRemoval>
  /** The removal went through, or is no longer wanted. */
  clear: (userKey: string) => Promise<void>
  /** Clears the user's entry when Enerflo accepted `roles` without any role it refused to remove. */
  clearIfGone: (userKey: string, roles: readonly string[]) => Promise<void>
  /** BLOCKED_RETRY_MS. */
  retryMs: number
  /** Every pending removal, oldest refusal first, and how many there are. */
  list: (limit?: number) => Promise<{ count: number, removals: BlockedRemoval[] }>
  count: () => Promise<number>
  /** User keys whose retry is due at `now`; each is moved a retry interval on, so one sweeper queues it once. */
  takeDue: (now?: number) => Promise<string[]>
  /** Makes one user's retry (or every one's) due now; the user keys made due. */
  retryNow: (userKey?: string) => Promise<string[]>
  /** A pending removal not yet due: the sync leaves the role alone instead of asking again. */
  isDue: (entry: BlockedRemoval, now?: number) => boolean
}

// Moves each due member on by the interval and returns it: atomic, so two sweepers in two
// processes never both take the same user in one round.
const TAKE_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, key in ipairs(due) do redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), key) end
return due
`

export function createBlockedRemovals (redis: Redis, prefix: string, retryMs: number): BlockedRemovals {
  // One hash tag for both: the MULTIs and the script touch them together, so on a Redis Cluster
  // they must share a slot (a prefix with a tag of its own puts every key in that slot anyway).
  const hash = `${prefix}:{blocked}`
  const due = `${prefix}:{blocked}:due`
  const parse = (raw: string | null | undefined): BlockedRemoval | undefined => raw == null ? undefined : JSON.parse(raw) as BlockedRemoval

  const self: BlockedRemovals = {
    get: async (userKey) => parse(await redis.hget(hash, userKey)),

    async refused ({ userKey, enerfloId, roles, enerflo, fix }) {
      const before = await self.get(userKey)
      const now = Date.now()
      const at = new Date(now).toISOString()
      const entry: BlockedRemoval = {
        userKey, enerfloId, roles: [...roles].sort(), enerflo: enerflo.slice(0, 500), fix,
        since: before?.since ?? at, lastRefusedAt: at, refusals: (before?.refusals ?? 0) + 1,
        nextRetryAt: new Date(now + retryMs).toISOString()
      }
      await redis.multi().hset(hash, userKey, JSON.stringify(entry)).zadd(due, now + retryMs, userKey).exec()
      return entry
    },

    async clear (userKey) {
      await redis.multi().hdel(hash, userKey).zrem(due, userKey).exec()
    },

    async clearIfGone (userKey, roles) {
      const entry = await self.get(userKey)
      if (entry !== undefined && entry.roles.every((r) => !roles.includes(r))) await self.clear(userKey)
    },

    retryMs,

    async list (limit = 100) {
      const all = (await redis.hvals(hash)).map((r) => JSON.parse(r) as BlockedRemoval)
      all.sort((a, b) => a.since.localeCompare(b.since) || a.userKey.localeCompare(b.userKey))
      const shown = all.slice(0, limit)
      // The due set is the truth for the next retry (the sweeper moves it on without rewriting the
      // entry); an entry whose retry is due now says so.
      const scores = shown.length === 0 ? [] : await redis.zmscore(due, ...shown.map((r) => r.userKey))
      const now = Date.now()
      const removals = shown.map((r, i) => {
        const score = scores[i]
        const next = score == null ? Date.parse(r.nextRetryAt) : Math.min(Number(score), Date.parse(r.nextRetryAt) <= now ? now : Number(score))
        return { ...r, nextRetryAt: new Date(next).toISOString() }
      })
      return { count: all.length, removals }
    },

    count: async () => await redis.hlen(hash),

    async takeDue (now = Date.now()) {
      return await redis.eval(TAKE_DUE, 1, due, String(now), String(retryMs), '500') as string[]
    },

    async retryNow (userKey) {
      const keys = userKey === undefined ? await redis.hkeys(hash) : (await redis.hexists(hash, userKey)) === 1 ? [userKey] : []
      if (keys.length === 0) return []
      const now = Date.now()
      const m = redis.multi()
      for (const k of keys) {
        const e = parse(await redis.hget(hash, k))
        if (e !== undefined) m.hset(hash, k, JSON.stringify({ ...e, nextRetryAt: new Date(now).toISOString() }))
        m.zadd(due, now, k)
      }
      await m.exec()
      return keys
    },

    isDue: (entry, now = Date.now()) => Date.parse(entry.nextRetryAt) <= now
  }
  return self
}
