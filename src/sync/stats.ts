/**
 * The counters /status shows, in one Redis hash: this module owns their names and every write.
 * Names are `<area>.<counter>`: a source's deliveries and rejections (`okta.rejected.auth`), the
 * sync outcomes (`sync.applied`), Graph's lifecycle events. Writes are best effort where they
 * follow an answer already decided (Redis may be why a request failed): `bump` never throws.
 */
import type { ChainableCommander, Redis } from 'ioredis'

/** Who a counter is about: a receiver's source, or the operator routes. */
export type StatArea = 'okta' | 'graph' | 'scim' | 'ops' | 'sync'

export const statName = {
  rejected: (area: StatArea, reason: string): string => `${area}.rejected.${reason}`,
  aborted: (area: StatArea): string => `${area}.client-aborted`,
  lifecycle: (event: string): string => `graph.lifecycle.${event}`,
  sync: (outcome: string): string => `sync.${outcome}`
}

export type Counts = Record<string, number>

export function createStats (redis: Redis, prefix: string, onError: (err: Error) => void = () => {}) {
  const hash = `${prefix}:stats`
  const add = (m: ChainableCommander, counts: Counts): ChainableCommander => {
    for (const [name, n] of Object.entries(counts)) if (n !== 0) m.hincrby(hash, name, n)
    return m
  }
  return {
    hash,
    /** Per source, when its last event arrived. */
    lastEventHash: `${hash}:last-event`,
    /** Adds the counts to a MULTI the caller runs (so they land with what they count). */
    into: add,
    /** Adds the counts now; a failure is reported to onError, never thrown. */
    bump (counts: Counts): void {
      if (Object.values(counts).every((n) => n === 0)) return
      add(redis.multi(), counts).exec().catch(onError)
    },
    async read (): Promise<Counts> {
      const raw = await redis.hgetall(hash)
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]))
    }
  }
}

export type Stats = ReturnType<typeof createStats>
