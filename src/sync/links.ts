/**
 * Identity links: which Enerflo user a provider user is. One Enerflo user has at most one identity
 * per source (two would fight over it), so every link is kept twice, atomically: on the user's
 * hash (`enerfloId`) and in a per-source index from Enerflo id to user key. All of one call's keys
 * share the store's prefix, so with a `{hash-tag}` prefix they sit in one Redis Cluster slot.
 */
import type { Redis } from 'ioredis'

// KEYS: per-source index, user hash, unresolved set. ARGV: enerflo id, user key.
// Returns the key already holding the Enerflo id (nothing changed), or '' when linked.
const LINK = `
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if holder and holder ~= ARGV[2] then return holder end
local old = redis.call('HGET', KEYS[2], 'enerfloId')
if old and old ~= ARGV[1] then
  if redis.call('HGET', KEYS[1], old) == ARGV[2] then redis.call('HDEL', KEYS[1], old) end
  redis.call('HDEL', KEYS[2], 'applied', 'inDoubt')
end
redis.call('HSET', KEYS[2], 'enerfloId', ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
return ''
`

// KEYS: per-source index, user hash. ARGV: user key. Returns the Enerflo id unlinked, or ''.
const UNLINK = `
local old = redis.call('HGET', KEYS[2], 'enerfloId')
if not old then return '' end
if redis.call('HGET', KEYS[1], old) == ARGV[1] then redis.call('HDEL', KEYS[1], old) end
redis.call('HDEL', KEYS[2], 'enerfloId', 'applied', 'inDoubt')
return old
`

const sourceOf = (key: string): string => key.slice(0, key.indexOf(':'))

export function createLinks (redis: Redis, prefix: string, userHash: (key: string) => string, unresolvedSet: string) {
  const index = (source: string): string => `${prefix}:linked:${source}`
  return {
    /**
     * Links a provider user to an Enerflo id; a different id than before drops the old baseline.
     * Refused, with the holder's key, when another identity of the same source has that id.
     */
    async link (key: string, enerfloId: number): Promise<{ ok: true } | { ok: false, holder: string }> {
      const holder = await redis.eval(LINK, 3, index(sourceOf(key)), userHash(key), unresolvedSet, String(enerfloId), key) as string
      return holder === '' ? { ok: true } : { ok: false, holder }
    },

    /** Removes a link; says which Enerflo id it pointed at, or undefined when there was none. */
    async unlink (key: string): Promise<number | undefined> {
      const old = await redis.eval(UNLINK, 2, index(sourceOf(key)), userHash(key), key) as string
      return old === '' ? undefined : Number(old)
    },

    /** The identity of `source` that holds this Enerflo id, if any. */
    async linkHolder (source: string, enerfloId: number): Promise<string | undefined> {
      return await redis.hget(index(source), String(enerfloId)) ?? undefined
    },

    /** Every link of one source: Enerflo id → user key. */
    async links (source: string): Promise<Map<number, string>> {
      const all = await redis.hgetall(index(source))
      return new Map(Object.entries(all).map(([id, key]) => [Number(id), key]))
    }
  }
}
