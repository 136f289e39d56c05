/**
 * Counts what deliveries held, and which of their event ids were seen before (providers deliver
 * at least once). Runs after the jobs are stored: a repeated event never needs to be dropped for
 * correctness, because jobs are level-triggered and an unchanged user costs no Enerflo call.
 *
 * `recordDelivery` is not awaited by the receivers and sends nothing itself: it adds the
 * delivery to this process's pending batch, and the batch goes to Redis as one command at most
 * FLUSH_MS after its first delivery (or at once when it holds MAX_BATCH_KEYS event ids, and when
 * the app closes). So the `/status` and `/metrics` delivery counters, the last-event time and
 * the duplicate count lag an answered delivery by up to FLUSH_MS plus one round trip. Duplicate
 * detection is as exact as before: every event id is still SET NX once, in arrival order, and a
 * repeat inside one batch finds the key its first sighting set a moment earlier in the same script.
 *
 * The access log of deliveries is here too: one info line per source once Redis has counted a
 * batch ("okta deliveries accepted": deliveries, user-change events, duplicates, ignored, without
 * a user, jobs), where each receiver used to write one line per request; the per-request line is
 * at debug. Under load the line covers every batch of the last second (LOG_EVERY_MS): a line per
 * 10 ms batch cost each delivery more CPU than its own accounting did. A delivery after a quiet
 * second is logged at once, and what is pending is logged when the app closes. Ids and counts
 * only, never personal data.
 */
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'

const SEEN_TTL_S = 7 * 24 * 3600
/** The longest a delivery waits in the batch before it is counted (the /status lag). */
export const FLUSH_MS = 10
/** A batch with this many event ids goes at once (bounds the script's run on Redis). */
export const MAX_BATCH_KEYS = 1000
/** At most one access-log line per source this often. */
export const LOG_EVERY_MS = 1000

// One command for the whole batch: per source, mark each event id seen (SET NX) and count in the
// same step how many already were.
// KEYS: stats hash, last-event hash, then the event ids' keys, source after source.
// ARGV: ttl, number of sources, then per source: source, event ids, deliveries, ignored, no-user,
// users, last delivery time. Returns the duplicates per source, in that order.
const RECORD = `
local k = 3
local a = 3
local dups = {}
for g = 1, tonumber(ARGV[2]) do
  local s = ARGV[a]
  local n = tonumber(ARGV[a + 1])
  local dup = 0
  for i = k, k + n - 1 do
    if not redis.call('SET', KEYS[i], '1', 'EX', ARGV[1], 'NX') then dup = dup + 1 end
  end
  k = k + n
  redis.call('HINCRBY', KEYS[1], s .. '.deliveries', ARGV[a + 2])
  redis.call('HINCRBY', KEYS[1], s .. '.events.user-change', n)
  if dup > 0 then redis.call('HINCRBY', KEYS[1], s .. '.events.duplicate', dup) end
  if tonumber(ARGV[a + 3]) > 0 then redis.call('HINCRBY', KEYS[1], s .. '.events.ignored', ARGV[a + 3]) end
  if tonumber(ARGV[a + 4]) > 0 then redis.call('HINCRBY', KEYS[1], s .. '.events.no-user', ARGV[a + 4]) end
  redis.call('HINCRBY', KEYS[1], s .. '.jobs.enqueued', ARGV[a + 5])
  redis.call('HSET', KEYS[2], s, ARGV[a + 6])
  dups[g] = dup
  a = a + 7
end
return dups
`

type RecordScript = (numKeys: number, ...args: Array<string | number>) => Promise<unknown>
const COMMAND = 'efsRecordDeliveries'
const defined = new WeakSet<Redis>()

/**
 * The script as a command of the client (ioredis sends EVAL once per connection, then EVALSHA):
 * a plain eval would send the script's bytes and have Redis hash them on every batch.
 */
function withRecordCommand (redis: Redis): { [COMMAND]: RecordScript } {
  if (!defined.has(redis)) {
    redis.defineCommand(COMMAND, { lua: RECORD })
    defined.add(redis)
  }
  return redis as unknown as { [COMMAND]: RecordScript }
}

export interface DeliveryCounts { ignored: number, noUser: number, users: number }

/** One source's share of a batch. */
interface SourceTally { eventIds: string[], deliveries: number, ignored: number, noUser: number, users: number, lastAt: number }

/** What one source's next access-log line says (the line's own fields). */
interface LineCounts { deliveries: number, userChanges: number, duplicates: number, ignored: number, noUser: number, jobs: number }
const noCounts = (): LineCounts => ({ deliveries: 0, userChanges: 0, duplicates: 0, ignored: 0, noUser: 0, jobs: 0 })

/** One source's next access-log line, and when the last one was written. */
interface LogTally { counts: LineCounts, lastAt: number, timer: NodeJS.Timeout | undefined }

interface Batch {
  app: FastifyInstance
  sources: Map<string, SourceTally>
  keys: number
  timer: NodeJS.Timeout | undefined
  /** Flushes sent and not yet answered (awaited on close). */
  inflight: Set<Promise<void>>
  logs: Map<string, LogTally>
}

// One batch per Redis connection, i.e. per app: the Okta and Graph routes share it.
const batches = new WeakMap<Redis, Batch>()

function batchOf (app: FastifyInstance): Batch {
  let batch = batches.get(app.redis)
  if (batch === undefined) {
    batch = { app, sources: new Map(), keys: 0, timer: undefined, inflight: new Set(), logs: new Map() }
    batches.set(app.redis, batch)
  }
  return batch
}

function writeLog (app: FastifyInstance, source: string, l: LogTally): void {
  if (l.timer !== undefined) { clearTimeout(l.timer); l.timer = undefined }
  if (l.counts.deliveries === 0) return
  app.log.info(l.counts, `${source} deliveries accepted`)
  l.counts = noCounts()
  l.lastAt = Date.now()
}

/** Adds a counted batch to the source's access-log line: written now, or when a second has passed since the last. */
function logCounted (batch: Batch, source: string, t: SourceTally, duplicates: number): void {
  let l = batch.logs.get(source)
  if (l === undefined) {
    l = { counts: noCounts(), lastAt: 0, timer: undefined }
    batch.logs.set(source, l)
  }
  const c = l.counts
  c.deliveries += t.deliveries; c.userChanges += t.eventIds.length; c.duplicates += duplicates
  c.ignored += t.ignored; c.noUser += t.noUser; c.jobs += t.users
  const wait = l.lastAt + LOG_EVERY_MS - Date.now()
  if (wait <= 0) { writeLog(batch.app, source, l); return }
  if (l.timer === undefined) {
    l.timer = setTimeout(writeLog, wait, batch.app, source, l)
    l.timer.unref()
  }
}

/** Sends the batch's counts as one command; the duplicates it found go to the metrics. */
async function send (batch: Batch, sources: Map<string, SourceTally>, deliveries: number): Promise<void> {
  const { app } = batch
  const keys: string[] = [app.stats.hash, app.stats.lastEventHash]
  const args: Array<string | number> = [SEEN_TTL_S, sources.size]
  for (const [source, t] of sources) {
    for (const id of t.eventIds) keys.push(app.store.eventKey(source, id))
    args.push(source, t.eventIds.length, t.deliveries, t.ignored, t.noUser, t.users, new Date(t.lastAt).toISOString())
  }
  try {
    const dups = await withRecordCommand(app.redis)[COMMAND](keys.length, ...keys, ...args) as unknown[]
    let i = 0
    for (const [source, t] of sources) {
      const duplicates = Number(dups[i++] ?? 0)
      if (duplicates > 0) app.metrics.events.inc({ source, type: 'any', outcome: 'duplicate' }, duplicates)
      logCounted(batch, source, t, duplicates)
    }
  } catch (err) {
    app.log.warn({ err: { name: (err as Error).name, message: (err as Error).message }, deliveries }, 'delivery accounting failed')
  }
}

function flushBatch (batch: Batch): Promise<void> {
  if (batch.timer !== undefined) { clearTimeout(batch.timer); batch.timer = undefined }
  if (batch.sources.size === 0) return Promise.resolve()
  const { sources } = batch
  let deliveries = 0
  for (const t of sources.values()) deliveries += t.deliveries
  batch.sources = new Map()
  batch.keys = 0
  const sent = send(batch, sources, deliveries)
  batch.inflight.add(sent)
  void sent.finally(() => batch.inflight.delete(sent))
  return sent
}

/**
 * Fire and forget: adds the delivery to the pending batch. Never throws; a batch Redis cannot
 * take is logged (with how many deliveries it held), as one delivery's was before.
 */
export function recordDelivery (app: FastifyInstance, source: string, eventIds: string[], counts: DeliveryCounts): void {
  const batch = batchOf(app)
  let t = batch.sources.get(source)
  if (t === undefined) {
    t = { eventIds: [], deliveries: 0, ignored: 0, noUser: 0, users: 0, lastAt: 0 }
    batch.sources.set(source, t)
  }
  for (const id of eventIds) t.eventIds.push(id)
  t.deliveries++
  t.ignored += counts.ignored
  t.noUser += counts.noUser
  t.users += counts.users
  t.lastAt = Date.now()
  batch.keys += eventIds.length
  if (batch.keys >= MAX_BATCH_KEYS) { void flushBatch(batch); return }
  if (batch.timer === undefined) {
    batch.timer = setTimeout(flushBatch, FLUSH_MS, batch)
    batch.timer.unref()
  }
}

/** Sends what is pending now and waits for every batch sent so far (tests, and the app's close). */
export async function flushDeliveries (app: FastifyInstance): Promise<void> {
  const batch = batches.get(app.redis)
  if (batch === undefined) return
  void flushBatch(batch)
  await Promise.all([...batch.inflight])
  for (const [source, l] of batch.logs) writeLog(app, source, l)
}
