/**
 * Counts what a delivery held, and which of its event ids were seen before (providers deliver at
 * least once). Runs after the jobs are stored: a repeated event never needs to be dropped for
 * correctness, because jobs are level-triggered and an unchanged user costs no Enerflo call.
 * `recordDelivery` is not awaited by the receivers: the answer does not wait for bookkeeping.
 */
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'

const SEEN_TTL_S = 7 * 24 * 3600

// One command for the whole delivery: mark each event id seen (SET NX) and count in the same
// step how many already were, so the counters never lag behind the answer by a round trip.
// KEYS: stats hash, last-event hash, then one key per event id.
// ARGV: ttl, source, ignored, no-user, users, now.
const RECORD = `
local dup = 0
for i = 3, #KEYS do
  if not redis.call('SET', KEYS[i], '1', 'EX', ARGV[1], 'NX') then dup = dup + 1 end
end
local s = ARGV[2]
local n = #KEYS - 2
redis.call('HINCRBY', KEYS[1], s .. '.deliveries', 1)
redis.call('HINCRBY', KEYS[1], s .. '.events.user-change', n)
if dup > 0 then redis.call('HINCRBY', KEYS[1], s .. '.events.duplicate', dup) end
if tonumber(ARGV[3]) > 0 then redis.call('HINCRBY', KEYS[1], s .. '.events.ignored', ARGV[3]) end
if tonumber(ARGV[4]) > 0 then redis.call('HINCRBY', KEYS[1], s .. '.events.no-user', ARGV[4]) end
redis.call('HINCRBY', KEYS[1], s .. '.jobs.enqueued', ARGV[5])
redis.call('HSET', KEYS[2], s, ARGV[6])
return dup
`

type RecordScript = (numKeys: number, ...args: Array<string | number>) => Promise<unknown>
const COMMAND = 'efsRecordDelivery'
const defined = new WeakSet<Redis>()

/**
 * The script as a command of the client (ioredis sends EVAL once per connection, then EVALSHA):
 * a plain eval would send the script's 900 bytes and have Redis hash them on every delivery.
 * Either way it goes in order on the connection, so a read sent after it sees its counts.
 */
function withRecordCommand (redis: Redis): { [COMMAND]: RecordScript } {
  if (!defined.has(redis)) {
    redis.defineCommand(COMMAND, { lua: RECORD })
    defined.add(redis)
  }
  return redis as unknown as { [COMMAND]: RecordScript }
}

export async function countDuplicates (app: FastifyInstance, source: string, eventIds: string[], counts: { ignored: number, noUser: number, users: number }): Promise<number> {
  // The counters' names are src/sync/stats.ts's; this script writes the delivery ones in one step.
  const keys = [app.stats.hash, app.stats.lastEventHash, ...eventIds.map((id) => app.store.eventKey(source, id))]
  const dup = await withRecordCommand(app.redis)[COMMAND](keys.length, ...keys, SEEN_TTL_S, source, counts.ignored, counts.noUser, counts.users, new Date().toISOString())
  return Number(dup)
}

/** Fire and forget: counts the delivery, logs (never throws) when Redis cannot take it. */
export function recordDelivery (app: FastifyInstance, log: { warn: (o: object, m: string) => void }, source: string, eventIds: string[], counts: { ignored: number, noUser: number, users: number }): void {
  countDuplicates(app, source, eventIds, counts).then(
    (duplicates) => { if (duplicates > 0) app.metrics.events.inc({ source, type: 'any', outcome: 'duplicate' }, duplicates) },
    (err: Error) => { log.warn({ err: { name: err.name, message: err.message } }, 'delivery accounting failed') }
  )
}
