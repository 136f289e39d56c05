/**
 * The final accounting of the chaos run: for every user, Enerflo against what the provider says
 * now; overlapping writes; every acknowledged event found in Redis; the service's own counters
 * against what the driver had acknowledged; and the figures, printed as a table.
 */
import type { Test } from 'tap'
import type { Redis } from 'ioredis'
import type { EnerfloSandbox } from '../../src/simulators/enerflo/sandbox.js'
import type { Mapping } from '../../src/mapping/mapping-file.js'
import type { EnerfloUserFields } from '../../src/mapping/types.js'
import type { createDriver } from './driver.js'
import type { createTraffic } from './traffic.js'
import type { QueueWatch } from './queue-watch.js'
import type { ShutdownResult } from './shutdown.js'
import { observedFaults, type FaultCounts } from './timeline.js'
import { FLUSH_MS } from '../../plugins/webhooks/delivery-accounting.js'
import { compare, differs, keyOf, overlaps, providerTruth, type Mismatch, type ProviderEndpoints } from './verify.js'
import { desiredOf, type Person } from './world.js'

export interface AccountDeps {
  t0: number
  driveStart: number
  people: Person[]
  mapping: Mapping
  initial: Map<string, EnerfloUserFields>
  enerflo: EnerfloSandbox
  redis: Redis
  prefix: string
  timeoutMs: number
  watch: QueueWatch
  driver: ReturnType<typeof createDriver>
  traffic: ReturnType<typeof createTraffic>
  faults: { counts: FaultCounts }
  ends: ProviderEndpoints
  disruptions: { workerKills: number, apiKills: number, redisRestarts: number, redisDownMs: number, killsAt: number[] }
  /** When the API was SIGKILLed (0: never). */
  apiKilledAt: number
  /** Requests the local Okta and Graph served (the workers' reads, mostly). */
  reads: { okta: number, graph: number }
  shutdown: ShutdownResult
  logs: () => string
}

async function missingEventKeys (redis: Redis, prefix: string, events: { okta: Set<string>, graph: Set<string> }): Promise<number> {
  const keys = [...[...events.okta].map((id) => `${prefix}:event:okta:${id}`), ...[...events.graph].map((id) => `${prefix}:event:graph:${id}`)]
  let missing = 0
  for (let i = 0; i < keys.length; i += 1000) {
    const m = redis.pipeline()
    for (const k of keys.slice(i, i + 1000)) m.exists(k)
    for (const [, n] of (await m.exec()) ?? []) if (n !== 1) missing++
  }
  return missing
}

export async function account (t: Test, d: AccountDeps): Promise<void> {
  const { people, driver, traffic } = d
  const truth = await providerTruth(people, d.mapping, d.ends)
  const divergent = people.filter((p) => differs(desiredOf(p, d.mapping), truth.get(keyOf(p))))
  t.equal(divergent.length, 0, 'sanity: the run’s model of every user matches what its provider serves')

  const requests = d.enerflo.requests()
  const mismatches = compare(people, truth, d.enerflo.users(), requests)
  const lost = mismatches.filter((m) => m.kind === 'lost')
  const stale = mismatches.filter((m) => m.kind === 'stale')
  const idToKey = new Map(people.map((p) => [p.enerfloId, keyOf(p)]))
  const overlap = overlaps(requests, d.timeoutMs, idToKey)
  const maxConcurrent = d.enerflo.maxConcurrentPerUser()
  const stats = Object.fromEntries(Object.entries(await d.redis.hgetall(`${d.prefix}:stats`)).map(([k, v]) => [k, Number(v)]))
  const missing = await missingEventKeys(d.redis, d.prefix, driver.stats.events)
  const failed = await d.watch.failed()
  const failedCount = await d.watch.failedCount()
  const failedDeliveries = await d.watch.failedDeliveries()
  const changedUsers = people.filter((p) => differs(d.initial.get(keyOf(p)), truth.get(keyOf(p)))).length
  const evented = [...driver.stats.lastAck.keys()]
  const wrongUsers = new Set(mismatches.map((m) => m.userKey))
  const writes = requests.length
  const ok = requests.filter((r) => r.status >= 200 && r.status < 300).length
  const seen = observedFaults(requests, d.timeoutMs)
  const inj = d.faults.counts.injected
  const acked = driver.stats.acknowledged
  const eventsBySource = { okta: driver.stats.events.okta.size, graph: driver.stats.events.graph.size }
  const refused = Object.entries(driver.stats.refused).map(([k, v]) => `${k} ×${v}`).join(', ')
  const kinds = Object.entries(traffic.stats.byKind).map(([k, v]) => `${k} ${v}`).join(', ')
  const n = (k: string): number => stats[k] ?? 0
  // The receivers answer 2xx once the jobs are stored; the counting after that is best effort
  // (a Redis outage between the two leaves it undone, and the API logs it).
  const failedLines = d.logs().split('\n').filter((l) => l.includes('"msg":"delivery accounting failed"'))
  const uncounted = failedLines.length
  // A failed batch may hold many deliveries: its line says how many.
  const uncountedDeliveries = failedLines.reduce((n, l) => n + Number(/"deliveries":(\d+)/.exec(l)?.[1] ?? 1), 0)
  // The API counts deliveries in batches sent up to FLUSH_MS after its 2xx
  // (plugins/webhooks/delivery-accounting.ts): a SIGKILL takes the pending batch with it, and a
  // killed process logs nothing. Only deliveries answered in that window before the kill may go
  // uncounted this way (100 ms of slack for the batch's round trip; up to 500 ms after the kill for
  // answers the old process sent that the driver, in this same process, reads late: the new API
  // takes seconds to start, so none of them is its).
  const killWindow = d.apiKilledAt === 0 ? [] : driver.stats.acks.filter((a) => a.at >= d.apiKilledAt - FLUSH_MS - 100 && a.at <= d.apiKilledAt + 500)
  const atKill = { deliveries: killWindow.length, events: killWindow.reduce((n, a) => n + a.events, 0) }
  const wall = ((Date.now() - d.t0) / 1000).toFixed(0)
  const sec = (ms: number): string => `+${(ms / 1000).toFixed(0)} s`
  const stalledAt = [...new Set(d.watch.seen.stalled.map((at) => sec(at - d.driveStart)))].join(', ')

  const rows: Array<[string, string]> = [
    ['users (Okta + Graph; hot)', `${people.length} (${people.filter((p) => p.source === 'okta').length} + ${people.filter((p) => p.source === 'graph').length}; ${people.filter((p) => p.hot).length} hot)`],
    ['events sent (distinct, each after its change)', `${traffic.stats.changes} (${kinds})`],
    ['real changes (desired Enerflo state changed)', String(traffic.stats.realChanges)],
    ['deliveries (distinct / verbatim re-sends / hot-burst singles)', `${traffic.stats.deliveries} / ${traffic.stats.duplicates} / ${traffic.stats.hotBurstDeliveries}`],
    ['deliveries acknowledged (2xx; Okta + Graph)', `${acked.okta + acked.graph} (${acked.okta} + ${acked.graph}), events in them ${driver.stats.eventsAcknowledged}`],
    ['delivery attempts refused, then retried', `${driver.stats.attempts - acked.okta - acked.graph} (${refused === '' ? 'none' : refused}); most attempts for one delivery ${driver.stats.mostAttempts}`],
    ['Enerflo 5xx (injected / answered)', `${inj['5xx']} / ${seen['5xx']}`],
    ['Enerflo 429 with retry-after (injected / answered)', `${inj['429']} / ${seen['429']}`],
    [`Enerflo answers slower than the ${d.timeoutMs} ms timeout (injected / seen)`, `${inj.slow} / ${seen.slow}`],
    ['Enerflo connection resets (injected / seen)', `${inj.reset} / ${seen.reset}`],
    ['Enerflo slow answers within the timeout (before kills, SIGTERM)', String(inj.slowWithin)],
    ['worker SIGKILL + restart', String(d.disruptions.workerKills)],
    ['API SIGKILL + restart', String(d.disruptions.apiKills)],
    ['Redis SHUTDOWN + restart (AOF everysec)', `${d.disruptions.redisRestarts} (unreachable ${d.disruptions.redisDownMs} ms)`],
    ['worker SIGTERM while busy', `exit ${String(d.shutdown.exit.code)} after ${d.shutdown.ms} ms; active jobs per worker at SIGTERM ${d.shutdown.activeAtSigterm.join(' + ')}; ${d.shutdown.appliedWhileDraining} applied while draining; ${d.shutdown.stalledAfter} left behind`],
    ['jobs recovered by BullMQ after a crash (stalled)', `${d.watch.seen.stalled.length}${stalledAt === '' ? '' : ` at ${stalledAt} (workers killed at ${d.disruptions.killsAt.map(sec).join(', ')})`}`],
    ['job adds coalesced by deduplication', String(d.watch.seen.deduplicated)],
    ['provider reads by the workers (Okta / Graph requests)', `${d.reads.okta} / ${d.reads.graph}`],
    ['sync outcomes (applied / unchanged / failed)', `${n('sync.applied')} / ${n('sync.unchanged')} / ${n('sync.failed')}`],
    ['Enerflo writes (PUTs received / 2xx)', `${writes} / ${ok}`],
    ['users whose Enerflo state really changed', String(changedUsers)],
    ['writes ÷ changed users; writes ÷ real changes', `${(writes / Math.max(1, changedUsers)).toFixed(2)}; ${(writes / Math.max(1, traffic.stats.realChanges)).toFixed(2)}`],
    ['lost changes (fields whose final value never reached Enerflo)', String(lost.length)],
    ['stale values (fields where an older value ended up over the final one)', String(stale.length)],
    ['concurrent writes to one user (max in flight; overlapping pairs, of which after a client timeout)', `${maxConcurrent}; ${overlap.pairs}, ${overlap.abandoned}`],
    ['Enerflo writes applied after the client gave up', String(overlap.lateApplied)],
    ['jobs failed for good', String(failedCount)],
    ['stored deliveries never fanned out', String(failedDeliveries)],
    ['acknowledged event ids not recorded by the service', `${missing} (deliveries whose counting failed during the Redis outage, logged: ${uncounted})`],
    ['service counters: deliveries counted + logged uncounted + answered just before the API SIGKILL vs acknowledged', `${n('okta.deliveries') + n('graph.deliveries')} + ${uncountedDeliveries} + ${atKill.deliveries} ≥ ${acked.okta + acked.graph}`],
    ['wall time', `${wall} s`]
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  t.comment('chaos run figures')
  for (const [k, v] of rows) t.comment(`| ${k.padEnd(width)} | ${v} |`)

  t.ok(people.length >= 200, `at least 200 users (${people.length})`)
  t.ok(traffic.stats.changes >= 3000, `at least 3,000 events (${traffic.stats.changes})`)
  t.ok(evented.length >= 200, `${evented.length} users had acknowledged events`)
  t.equal(evented.filter((k) => wrongUsers.has(k)).length, 0, 'every user with an acknowledged event reached its provider’s final state')
  t.equal(lost.length, 0, 'no lost change', { examples: lost.slice(0, 10) })
  t.equal(stale.length, 0, 'no stale value', { examples: stale.slice(0, 10) })
  t.equal(maxConcurrent, 1, 'no user was ever written twice at once', { overlapping: overlap.examples })
  t.ok(missing <= atKill.events || uncounted > 0, `every acknowledged event id is recorded in Redis, but for deliveries whose counting the API logged as failed or answered just before its SIGKILL (${missing} missing, ${uncounted} logged, ${atKill.events} at the kill)`)
  t.equal(failedCount, 0, 'no job failed for good', { failed: failed.slice(0, 10) })
  t.equal(failedDeliveries, 0, 'every stored delivery was fanned out')
  t.ok(n('okta.deliveries') + n('graph.deliveries') + uncountedDeliveries + atKill.deliveries >= acked.okta + acked.graph, 'the service counted every acknowledged delivery, or logged that it could not, or answered it just before its SIGKILL')
  t.ok(uncounted > 0 || n('okta.events.user-change') + n('graph.events.user-change') + atKill.events >= driver.stats.eventsAcknowledged,
    `the service counted at least every acknowledged event (${n('okta.events.user-change') + n('graph.events.user-change')} + ${atKill.events} at the kill ≥ ${driver.stats.eventsAcknowledged}, or logged why not)`)
  t.ok(eventsBySource.okta + eventsBySource.graph === traffic.stats.changes, 'every event sent was acknowledged')
  if (mismatches.length > 0) await explain(t, d, mismatches)
}

/** For a failing run: for a few wrong fields, every PUT that carried the field and the audit entries that changed it. */
async function explain (t: Test, d: AccountDeps, mismatches: Mismatch[]): Promise<void> {
  const byKey = new Map(d.people.map((p) => [keyOf(p), p]))
  const requests = d.enerflo.requests()
  for (const m of mismatches.slice(0, 4)) {
    const p = byKey.get(m.userKey)
    if (p === undefined) continue
    const trail = (await d.redis.lrange(`${d.prefix}:audit:${m.userKey}`, 0, -1))
      .map((s) => JSON.parse(s) as { at: string, outcome: string, changes?: Record<string, { to: unknown }> })
      .filter((e) => e.changes?.[m.field] !== undefined)
      .map((e) => `${e.at} ${e.outcome} → ${JSON.stringify(e.changes?.[m.field]?.to)}`)
    const puts = requests.filter((r) => r.userId === p.enerfloId && (r.body as Record<string, unknown>)[m.field] !== undefined)
      .map((r) => `${new Date(r.at).toISOString()} +${r.durationMs} ms → ${r.status}${r.durationMs > d.timeoutMs ? ' (after the client gave up)' : ''}: ${JSON.stringify((r.body as Record<string, unknown>)[m.field])}`)
    t.comment(`${m.userKey} ${m.field}: expected ${JSON.stringify(m.expected)}, Enerflo holds ${JSON.stringify(m.actual)}`)
    t.comment(`  audit (newest first): ${trail.slice(0, 6).join(' | ')}`)
    t.comment(`  PUTs carrying ${m.field} (oldest first): ${puts.slice(-6).join(' | ')}`)
  }
}
