/**
 * Bench 7, hostile bodies: what the body that froze the old `sequenceNumber` regex rewrite (issue 9,
 * item 1: `"sequenceNumber"` then an unterminated run of `\"`, 18.7 s of blocked event loop for
 * 125 KB) costs now that the receiver parses before it looks. The same 1 MiB body terminated (a
 * valid notification whose string holds the same run of `\"`) is the reference: both should be one
 * linear pass. Then /healthz is timed while two clients keep sending the hostile body, against
 * /healthz on the idle process.
 *
 *   node --import tsx bench/hostile-body.ts
 */
import { Pool } from 'undici'
import { startRedis } from './lib/redis.js'
import { secrets } from './lib/setup.js'
import { GRAPH_TENANT, startGraphReceiver } from './lib/ingest.js'
import { graphNotifications } from './lib/deliveries.js'
import { fmt, fmtMs, median, percentile } from './lib/stats.js'
import { row, runMain, say, verdict, type Row } from './lib/table.js'

const B = '7 hostile body'
const LIMIT = 1024 * 1024
const REPEATS = Number(process.env['BENCH_HOSTILE_REPEATS'] ?? 30)
const FLOOD_S = Number(process.env['BENCH_HOSTILE_FLOOD_S'] ?? 5)

/** Exactly the body limit: a prefix, then `\"` until 1 MiB, never closed. */
export function hostileBody (): string {
  const prefix = '{"value":[{"sequenceNumber":1,"x":"'
  return prefix + '\\"'.repeat(Math.floor((LIMIT - prefix.length) / 2))
}

/** A valid notification of the same size whose one string is the same run of `\"`. */
function validBody (clientState: string): string {
  const one = JSON.parse(graphNotifications(1, clientState, GRAPH_TENANT)) as { value: Array<Record<string, unknown>> }
  const item = { sequenceNumber: 1, ...one.value[0], x: '' }
  const room = LIMIT - JSON.stringify({ value: [item] }).length
  return JSON.stringify({ value: [{ ...item, x: '"'.repeat(Math.floor(room / 2)) }] })
}

async function timed (pool: Pool, path: string, body?: string): Promise<{ ms: number, status: number }> {
  const t = performance.now()
  const res = await pool.request(body === undefined
    ? { method: 'GET', path }
    : { method: 'POST', path, body, headers: { 'content-type': 'application/json' } })
  await res.body.dump()
  return { ms: performance.now() - t, status: res.statusCode }
}

async function series (pool: Pool, path: string, n: number, body?: string): Promise<{ ms: number[], statuses: Set<number> }> {
  const ms: number[] = []
  const statuses = new Set<number>()
  for (let i = 0; i < n; i++) {
    const r = await timed(pool, path, body)
    ms.push(r.ms)
    statuses.add(r.status)
  }
  return { ms, statuses }
}

/** /healthz every 20 ms for durationMs, optionally while `senders` clients send `body` in a loop. */
async function healthWhile (pool: Pool, durationMs: number, flood?: { pool: Pool, body: string, senders: number }): Promise<{ ms: number[], sent: number }> {
  const until = performance.now() + durationMs
  let sent = 0
  const senders = Array.from({ length: flood?.senders ?? 0 }, async () => {
    while (flood !== undefined && performance.now() < until) { await timed(flood.pool, '/webhooks/graph', flood.body); sent++ }
  })
  const ms: number[] = []
  while (performance.now() < until) {
    ms.push((await timed(pool, '/healthz')).ms)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await Promise.all(senders)
  return { ms, sent }
}

const summary = (ms: number[]): string => `p50 ${fmtMs(median(ms))}, p99 ${fmtMs(percentile(ms, 99))}, max ${fmtMs(Math.max(...ms))}`

export async function run (): Promise<Row[]> {
  const redis = await startRedis()
  const s = secrets()
  const graph = await startGraphReceiver(redis.url, s)
  const pool = new Pool(graph.proc.baseUrl, { connections: 1 })
  const floodPool = new Pool(graph.proc.baseUrl, { connections: 2 })
  const bad = hostileBody()
  const good = validBody(s.webhook)
  try {
    say(`hostile ${fmt(bad.length)} B and valid ${fmt(good.length)} B bodies, ${REPEATS} each, alternating`)
    await series(pool, '/webhooks/graph', 3, good)
    const hostile: number[] = []
    const valid: number[] = []
    const statuses = { hostile: new Set<number>(), valid: new Set<number>() }
    for (let i = 0; i < REPEATS; i++) {
      const h = await timed(pool, '/webhooks/graph', bad); hostile.push(h.ms); statuses.hostile.add(h.status)
      const v = await timed(pool, '/webhooks/graph', good); valid.push(v.ms); statuses.valid.add(v.status)
    }
    say(`/healthz idle, then while 2 clients send the hostile body (${FLOOD_S} s each)`)
    const idle = await healthWhile(pool, FLOOD_S * 1000)
    const flooded = await healthWhile(pool, FLOOD_S * 1000, { pool: floodPool, body: bad, senders: 2 })
    const only400 = [...statuses.hostile].every((c) => c === 400)
    const r = median(hostile) / median(valid)
    return [
      row(B, 'Graph POST, 1 MiB "sequenceNumber" then unterminated \\": time to its answer', {
        target: '400, linear: ≤ 2× the valid 1 MiB body',
        measured: `${summary(hostile)} (answers ${[...statuses.hostile].join(', ')})`,
        baseline: `valid 1 MiB body: ${summary(valid)} (answers ${[...statuses.valid].join(', ')})`,
        ratio: fmt(r, 2),
        verdict: verdict(only400 && r <= 2),
        note: `${REPEATS} of each, alternating, one at a time over one keep-alive connection (upload of 1 MiB on loopback included); the old regex blocked the event loop 18.7 s for 125 KB of this body`
      }),
      row(B, '/healthz while 2 clients send that body back to back', {
        target: 'max ≤ 1 s (was a timeout)',
        measured: `${summary(flooded.ms)} (${flooded.ms.length} probes; ${fmt(flooded.sent / FLOOD_S, 1)} hostile bodies/s answered)`,
        baseline: `idle: ${summary(idle.ms)}`,
        ratio: fmt(percentile(flooded.ms, 99) / percentile(idle.ms, 99), 1),
        verdict: verdict(Math.max(...flooded.ms) <= 1000)
      })
    ]
  } finally {
    await pool.close()
    await floodPool.close()
    await graph.proc.stop()
    await redis.stop()
  }
}

await runMain(B, run)
