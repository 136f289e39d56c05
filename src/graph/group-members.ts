/**
 * The last known members of each subscribed group, in Redis (one hash per deployment, field =
 * group id, value = the sorted user ids as JSON). A Graph group notification need not say who was
 * added or removed, so the group-change job lists the group and compares with this. A field
 * exists exactly for the groups we keep a subscription on: a notification for any other group
 * is not ours to act on.
 */
import type { Redis } from 'ioredis'

export interface MemberChange { added: string[], removed: string[] }

/** Who joined and who left between two member lists. */
export function memberChange (before: readonly string[], now: readonly string[]): MemberChange {
  const was = new Set(before)
  const is = new Set(now)
  return { added: now.filter((id) => !was.has(id)), removed: before.filter((id) => !is.has(id)) }
}

export function createGroupMembers (redis: Redis, prefix: string) {
  const key = `${prefix}:graph:group-members`
  const encode = (ids: readonly string[]): string => JSON.stringify([...new Set(ids)].sort())
  return {
    key,
    /** undefined: no snapshot, so not a group we subscribe to (or not yet). */
    async get (groupId: string): Promise<string[] | undefined> {
      const v = await redis.hget(key, groupId)
      return v === null ? undefined : JSON.parse(v) as string[]
    },
    async save (groupId: string, ids: readonly string[]): Promise<void> {
      await redis.hset(key, groupId, encode(ids))
    },
    /** The first snapshot of a group; never overwrites one a group-change job already moved on. */
    async saveIfAbsent (groupId: string, ids: readonly string[]): Promise<boolean> {
      return (await redis.hsetnx(key, groupId, encode(ids))) === 1
    },
    async has (groupId: string): Promise<boolean> {
      return (await redis.hexists(key, groupId)) === 1
    },
    async remove (groupId: string): Promise<void> {
      await redis.hdel(key, groupId)
    },
    async groupIds (): Promise<string[]> {
      return await redis.hkeys(key)
    }
  }
}

export type GroupMembers = ReturnType<typeof createGroupMembers>
