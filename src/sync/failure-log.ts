/**
 * Recent sync failures for operators, in Redis: one entry per user (its latest dead letter), the
 * newest `max` users kept (200 by default). /status groups them by reason; a user's entry goes as
 * soon as a later job for that user completes, so the list says what is still broken, not what
 * once was. One hash key, so a Redis Cluster keeps it in one slot.
 *
 * An entry holds ids, the code and the reason (which may quote an email: masked where shown),
 * never the user's name: /status looks that up when it shows the entry.
 */
import type { Redis } from 'ioredis'

export interface FailureEntry {
  /** When the job failed for good (ISO). */
  at: string
  jobId: string
  userKey: string
  code: string
  message: string
  attempts: number
}

// Values are "<ms> <json>" so this script can find the oldest without decoding JSON.
const RECORD = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local max = tonumber(ARGV[3])
local n = redis.call('HLEN', KEYS[1])
if n <= max then return 0 end
local all = redis.call('HGETALL', KEYS[1])
local rows = {}
for i = 1, #all, 2 do rows[#rows + 1] = { all[i], tonumber(string.match(all[i + 1], '^(%d+)')) or 0 } end
table.sort(rows, function (a, b) return a[2] < b[2] end)
for i = 1, n - max do redis.call('HDEL', KEYS[1], rows[i][1]) end
return n - max
`

/** "CODE: reason", as the processor words a final failure; anything else is INTERNAL. */
export function createFailureLog (redis: Redis, prefix: string, max = 200) {
  const key = `${prefix}:failures`
  return {
    key,
    async record (entry: FailureEntry): Promise<void> {
      const at = Date.parse(entry.at)
      await redis.eval(RECORD, 1, key, entry.userKey, `${Number.isNaN(at) ? Date.now() : at} ${JSON.stringify(entry)}`, String(max))
    },

    /** A later job for this user finished: its failure is no longer current. */
    async clear (userKey: string): Promise<void> {
      await redis.hdel(key, userKey)
    },

    async forget (userKeys: string[]): Promise<void> {
      if (userKeys.length > 0) await redis.hdel(key, ...userKeys)
    },

    /** Every entry, newest first. */
    async recent (): Promise<FailureEntry[]> {
      const raw = await redis.hgetall(key)
      const out: FailureEntry[] = []
      for (const value of Object.values(raw)) {
        try { out.push(JSON.parse(value.slice(value.indexOf(' ') + 1)) as FailureEntry) } catch { /* a foreign value: skip it */ }
      }
      return out.sort((a, b) => b.at.localeCompare(a.at))
    }
  }
}

export type FailureLog = ReturnType<typeof createFailureLog>
