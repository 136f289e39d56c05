/**
 * Where each provider pass left off, in Redis under the store prefix: Okta's time (as Okta's own
 * clock gave it when the pass started) or Graph's deltaLink, and the members of the mapped groups
 * as that pass saw them (a membership change does not move a user's lastUpdated, nor show in the
 * users delta, so the next pass compares memberships with these). A pass reads them when it starts
 * and saves new ones only once it has finished: a failed or interrupted pass leaves the old ones,
 * so the next pass reads again from the same point and nothing between them is skipped.
 */
import type { Redis } from 'ioredis'
import type { Source } from '../sync/source.js'

export interface Watermark {
  /** Okta: an ISO time; Graph: the deltaLink. */
  value: string
  /** When the pass that set it finished. */
  savedAt: string
}

export function createWatermarks (redis: Redis, prefix: string) {
  const marks = `${prefix}:reconcile:watermark`
  const members = (source: Source): string => `${prefix}:reconcile:members:${source}`

  return {
    async get (source: Source): Promise<Watermark | undefined> {
      const raw = await redis.hget(marks, source)
      return raw === null ? undefined : JSON.parse(raw) as Watermark
    },

    /** The mapped groups each user was in when the last finished pass looked (user id → names). */
    async members (source: Source): Promise<Map<string, string[]>> {
      const all = await redis.hgetall(members(source))
      return new Map(Object.entries(all).map(([id, names]) => [id, JSON.parse(names) as string[]]))
    },

    /**
     * A finished pass's watermark and memberships, together: a new watermark with old memberships
     * would hide the membership changes in between. The new copy is built aside and swapped in.
     */
    async save (source: Source, value: string, seen: Map<string, string[]>): Promise<void> {
      const next = `${members(source)}:next`
      await redis.del(next)
      const rows = [...seen].filter(([, names]) => names.length > 0)
      for (let i = 0; i < rows.length; i += 1000) {
        await redis.hset(next, Object.fromEntries(rows.slice(i, i + 1000).map(([id, names]) => [id, JSON.stringify([...names].sort())])))
      }
      const m = redis.multi()
      if (rows.length > 0) m.rename(next, members(source)); else m.del(members(source))
      await m.hset(marks, source, JSON.stringify({ value, savedAt: new Date().toISOString() })).exec()
    },

    /** Forgets a watermark the provider refused (Graph's expired token): the next pass is full. */
    async drop (source: Source): Promise<void> {
      await redis.hdel(marks, source)
    }
  }
}

export type Watermarks = ReturnType<typeof createWatermarks>
