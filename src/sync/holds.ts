/**
 * Holds: what the brake (brake.ts) kept back, in Redis so they survive restarts. A hold is one
 * batch: while it is open it collects every further destructive change, and an operator releases
 * or discards it as a whole. Releasing leaves a short-lived pass per user, which lets that user's
 * next sync through the brake; the sync re-reads the provider, so it applies the provider's state
 * at release time (a change reverted meanwhile applies nothing). Discarding leaves a marker per
 * user that keeps exactly that destructive change out until the provider stops asking for it.
 *
 * Every key shares the store's prefix, so with a `{hash-tag}` prefix they sit in one Cluster slot;
 * a script that reaches a key by name (a hold's users, a user's pass) builds it from that prefix.
 */
import type { Redis } from 'ioredis'

export interface HeldChange {
  userKey: string
  enerfloId: number
  at: string
  /** The provider says the user is no longer active. */
  deactivate: boolean
  /** Managed roles the provider says the user no longer earns. */
  removedRoles: string[]
  /** What this destructive change is, to recognise it again after a discard. */
  sig: string
}

export interface Hold {
  id: string
  state: 'open' | 'released' | 'discarded'
  reason: string
  createdAt: string
  finishedAt: string | null
  users: HeldChange[]
}

/** How long a released user's pass waits for its sync (the sync is queued at release time). */
export const PASS_TTL_MS = 24 * 3600 * 1000

export function holdKeys (prefix: string) {
  return {
    window: `${prefix}:brake:window`,
    open: `${prefix}:brake:open`,
    list: `${prefix}:holds`,
    seq: `${prefix}:holds:seq`,
    hold: (id: string): string => `${prefix}:hold:${id}`,
    users: (id: string): string => `${prefix}:hold:${id}:users`,
    pass: (userKey: string): string => `${prefix}:brake:pass:${userKey}`,
    discarded: (userKey: string): string => `${prefix}:brake:discarded:${userKey}`,
    linked: (source: string): string => `${prefix}:linked:${source}`,
    /** The destructive changes a reconciliation run's jobs made ('' : a key no run uses). */
    run: (id: string): string => `${prefix}:brake:run:${id}`
  }
}

// KEYS: hold hash, hold users, open pointer. ARGV: id, now (ISO), new state, prefix, pass TTL.
// Finishes an open hold and leaves each user's pass (released) or marker (discarded).
const FINISH = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if state ~= 'open' then return state end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'finishedAt', ARGV[2])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
local users = redis.call('HGETALL', KEYS[2])
for i = 1, #users, 2 do
  if ARGV[3] == 'released' then
    redis.call('SET', ARGV[4] .. ':brake:pass:' .. users[i], ARGV[1], 'PX', ARGV[5])
  else
    redis.call('SET', ARGV[4] .. ':brake:discarded:' .. users[i], cjson.decode(users[i + 1]).sig)
  end
end
return 'ok'
`

export type FinishResult = { ok: true, hold: Hold } | { ok: false, why: 'missing' | 'released' | 'discarded' }

export function createHolds (redis: Redis, prefix: string) {
  const k = holdKeys(prefix)

  async function get (id: string): Promise<Hold | undefined> {
    const [head, users] = await Promise.all([redis.hgetall(k.hold(id)), redis.hgetall(k.users(id))])
    if (head.state === undefined) return undefined
    return {
      id,
      state: head.state as Hold['state'],
      reason: head.reason ?? '',
      createdAt: new Date(Number(head.createdAt)).toISOString(),
      finishedAt: head.finishedAt ?? null,
      users: Object.values(users).map((v) => JSON.parse(v) as HeldChange).sort((a, b) => a.userKey.localeCompare(b.userKey))
    }
  }

  async function finish (id: string, state: 'released' | 'discarded'): Promise<FinishResult> {
    const res = await redis.eval(FINISH, 3, k.hold(id), k.users(id), k.open, id, new Date().toISOString(), state, prefix, String(PASS_TTL_MS)) as string
    if (res !== 'ok') return { ok: false, why: res as 'missing' | 'released' | 'discarded' }
    const hold = await get(id)
    return hold === undefined ? { ok: false, why: 'missing' } : { ok: true, hold }
  }

  return {
    get,
    /** The newest holds first (the open one among them). */
    async list (limit = 20): Promise<Hold[]> {
      const ids = await redis.zrevrange(k.list, 0, limit - 1)
      const holds = await Promise.all(ids.map(get))
      return holds.filter((h): h is Hold => h !== undefined)
    },
    /** What /status and the metric show: the open hold, if any, how many users it holds and why. */
    async summary (): Promise<{ open: string | null, waiting: number, since: string | null, reason: string | null }> {
      const open = await redis.get(k.open)
      if (open === null) return { open: null, waiting: 0, since: null, reason: null }
      const [waiting, [createdAt, reason]] = await Promise.all([redis.hlen(k.users(open)), redis.hmget(k.hold(open), 'createdAt', 'reason')])
      return { open, waiting, since: createdAt == null ? null : new Date(Number(createdAt)).toISOString(), reason: reason ?? null }
    },
    release: async (id: string) => await finish(id, 'released'),
    discard: async (id: string) => await finish(id, 'discarded')
  }
}

export type Holds = ReturnType<typeof createHolds>
