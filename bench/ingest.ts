/**
 * Bench 1, ingest: POST /webhooks/okta with a 1-event and a 20-event delivery at 1, 10 and 100
 * connections, against the in-run baseline (a bare Fastify route doing one queue.add of the body
 * to the same Redis). Runs alternate service/baseline and Redis is emptied before each, so both
 * see the same machine state; each cell reports the median of RUNS runs.
 *
 *   node --import tsx bench/ingest.ts
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startRedis } from './lib/redis.js'
import { secrets } from './lib/setup.js'
import { ROOT } from './lib/service.js'
import { measure, startBaseline, startGraphReceiver, startReceiver, summarize, type IngestTarget, type Provider } from './lib/ingest.js'
import type { LoadResult } from './lib/load.js'
import { fmt, fmtMs, ratio } from './lib/stats.js'
import { row, runMain, say, verdict, type Row } from './lib/table.js'

// Five runs a cell: on a shared 2-core machine one slow run in three moved a median by 0.1×.
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5)
const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 3)
/** Graph cells run shorter so the whole suite stays under ten minutes. */
const GRAPH_DURATION_S = Number(process.env['BENCH_GRAPH_DURATION_S'] ?? 2)
const list = (name: string, dflt: number[]): number[] => process.env[name]?.split(',').map(Number) ?? dflt
// Narrower runs while exploring (e.g. BENCH_INGEST_SIZES=1 BENCH_INGEST_PROVIDERS=okta); the
// table in docs/BENCHMARKS.md always comes from the defaults.
const SIZES = list('BENCH_INGEST_SIZES', [1, 20])
const CONNECTIONS = list('BENCH_INGEST_CONNECTIONS', [1, 10, 100])
const PROVIDERS = (process.env['BENCH_INGEST_PROVIDERS'] ?? 'okta,graph').split(',')
const B = '1 ingest'

const lat = (r: LoadResult): string => `p99 ${fmtMs(r.p99)} (p50 ${fmtMs(r.p50)}, max ${fmtMs(r.max)})`

async function cells (rows: Row[], provider: Provider, service: IngestTarget, baseline: IngestTarget, durationS: number, clientState: string): Promise<void> {
  for (const events of SIZES) {
    for (const connections of CONNECTIONS) {
      const got: Record<string, Array<LoadResult & { cpuPerRequestUs?: number }>> = { service: [], baseline: [] }
      for (let i = 0; i < RUNS; i++) {
        const order = i % 2 === 0 ? [service, baseline] : [baseline, service]
        for (const t of order) {
          await redisFlush()
          got[t.name]?.push(await measure(t, events, connections, durationS, provider, clientState))
        }
      }
      const sv = summarize(got['service'] ?? [])
      const bl = summarize(got['baseline'] ?? [])
      say(`${provider} ${events} @${connections}c: service ${fmt(sv.rps)} req/s p99 ${fmtMs(sv.p99)} ${fmt(sv.cpuPerRequestUs)} µs CPU/req; baseline ${fmt(bl.rps)} req/s p99 ${fmtMs(bl.p99)} ${fmt(bl.cpuPerRequestUs)} µs CPU/req`)
      const label = `${provider} ${events} ${provider === 'okta' ? 'ev' : 'notif'}, ${connections} conn`
      const rr = ratio(sv.rps, bl.rps)
      rows.push(row(B, `${label}: req/s`, {
        target: '≥ 0.8× baseline, 0 errors',
        measured: `${fmt(sv.rps)} (${sv.errors} err)`,
        baseline: `${fmt(bl.rps)} (${bl.errors} err)`,
        ratio: fmt(rr, 2),
        verdict: verdict(rr >= 0.8 && sv.errors === 0)
      }))
      // What each process spent per answered request: steadier than req/s on a shared machine,
      // where the load generator's and Redis's share of the two cores varies from run to run.
      // Informational (no target): req/s above is the goal.
      const cr = sv.cpuPerRequestUs === undefined || bl.cpuPerRequestUs === undefined ? undefined : ratio(sv.cpuPerRequestUs, bl.cpuPerRequestUs)
      rows.push(row(B, `${label}: CPU per request`, {
        target: 'info (lower is better)',
        measured: `${fmt(sv.cpuPerRequestUs)} µs`,
        baseline: `${fmt(bl.cpuPerRequestUs)} µs`,
        ratio: fmt(cr, 2),
        verdict: 'info'
      }))
      const pr = ratio(sv.p99, bl.p99)
      const under10 = connections !== 10 || sv.p99 <= 10
      rows.push(row(B, `${label}: latency`, {
        target: connections === 10 ? 'p99 ≤ 1.2× baseline and ≤ 10 ms' : 'p99 ≤ 1.2× baseline',
        measured: lat(sv),
        baseline: lat(bl),
        ratio: fmt(pr, 2),
        verdict: verdict(pr <= 1.2 && under10)
      }))
    }
  }
}

let redisFlush: () => Promise<void> = async () => {}

export async function run (): Promise<Row[]> {
  const redis = await startRedis()
  redisFlush = redis.flush
  const s = secrets()
  const service = await startReceiver(redis.url, s)
  let baseline = await startBaseline(redis.url)
  const rows: Row[] = []
  try {
    say('warming up both targets')
    for (const t of [service.target, baseline.target]) await measure(t, 1, 10, 2)
    if (PROVIDERS.includes('okta')) await cells(rows, 'okta', service.target, baseline.target, DURATION_S, '')
    await service.proc.stop()
    if (!PROVIDERS.includes('graph')) return rows
    // plugins/webhooks/graph.ts since plugins/ was grouped (c2183b8); the old plugins/graph-webhook.ts
    // check made every run since then skip Graph as "not yet measurable".
    if (!existsSync(join(ROOT, 'plugins', 'webhooks', 'graph.ts'))) {
      rows.push(row(B, 'graph (POST /webhooks/graph)', { verdict: 'n/a', note: 'not yet measurable: the Graph receiver (issue 3) does not exist yet (no plugins/webhooks/graph.ts)' }))
    } else {
      let graph: Awaited<ReturnType<typeof startGraphReceiver>> | undefined
      try {
        graph = await startGraphReceiver(redis.url, s)
        // Both fresh and warmed alike: the baseline that served the Okta cells had minutes of
        // JIT and heap warm-up that a new Graph receiver has not. A full run with that imbalance
        // measured Graph at 0.76-0.78 at 10 and 100 connections, a Graph-only run 0.83-0.89; this
        // makes the conditions equal, it does not show the warm-up was the cause.
        await baseline.proc.stop()
        baseline = await startBaseline(redis.url)
        for (const t of [graph.target, baseline.target]) await measure(t, 1, 10, 2, 'graph', s.webhook)
        await cells(rows, 'graph', graph.target, baseline.target, GRAPH_DURATION_S, s.webhook)
      } catch (err) {
        rows.push(row(B, 'graph (POST /webhooks/graph)', { verdict: 'n/a', note: `not measurable yet: ${(err as Error).message.split('\n')[0] ?? ''}` }))
      } finally {
        await graph?.proc.stop()
      }
    }
  } finally {
    await service.proc.stop()
    await baseline.proc.stop()
    await redis.stop()
  }
  return rows
}

await runMain(B, run)
