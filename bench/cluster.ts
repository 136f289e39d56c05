/**
 * Bench 11, Redis Cluster (issue 16): POST /webhooks/okta ingest on a three-primary Redis Cluster
 * (REDIS_CLUSTER_NODES, QUEUE_PREFIX={bench}) against the same receiver on a single Redis, in the
 * same run: one api-role process per topology, 1- and 20-event deliveries at 10 and 100
 * connections, runs alternating single/cluster with every Redis emptied before each; each cell is
 * the median of RUNS runs. Then the same on Sentinel's primary with REDIS_MIN_REPLICAS=1 (a WAIT
 * per delivery) against REDIS_MIN_REPLICAS=0 on that primary, for what the replica's
 * confirmation costs.
 *
 * One queue is one slot, so one primary takes all of a deployment's queue writes: a cluster buys
 * room for many deployments (one prefix each), not more ingest for one.
 *
 *   node --import tsx bench/cluster.ts        (or: npm run bench -- cluster)
 */
import { Redis } from 'ioredis'
import { secrets } from './lib/setup.js'
import { measure, startReceiver, summarize, type IngestTarget } from './lib/ingest.js'
import type { LoadResult } from './lib/load.js'
import { fmt, fmtMs, ratio } from './lib/stats.js'
import { startRedis } from './lib/redis.js'
import { row, runMain, say, type Row } from './lib/table.js'
import { startRedisCluster, startRedisSentinel } from '../test/helpers/redis-topologies.js'

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3)
const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 3)
const SIZES = [1, 20]
const CONNECTIONS = [10, 100]
const B = '11 cluster'

/** The test helpers' teardown, run by hand at the end. */
function teardowns (): { teardown: (fn: () => unknown) => void, run: () => Promise<void> } {
  const fns: Array<() => unknown> = []
  return { teardown: (fn) => { fns.push(fn) }, run: async () => { for (const fn of fns.reverse()) await fn() } }
}

const flushAll = async (ports: number[]): Promise<void> => {
  for (const port of ports) {
    const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 })
    c.on('error', () => {})
    try { await c.flushall('SYNC') } finally { c.disconnect() }
  }
}

async function compare (rows: Row[], what: string, a: { target: IngestTarget, ports: number[], name: string }, b: { target: IngestTarget, ports: number[], name: string }, target: string, ok: (r: number) => boolean, report?: 'info'): Promise<void> {
  for (const events of SIZES) {
    for (const connections of CONNECTIONS) {
      const got: Record<string, LoadResult[]> = { a: [], b: [] }
      for (let i = 0; i < RUNS; i++) {
        const order = i % 2 === 0 ? [['a', a], ['b', b]] as const : [['b', b], ['a', a]] as const
        for (const [key, t] of order) {
          await flushAll(t.ports)
          got[key]?.push(await measure(t.target, events, connections, DURATION_S))
        }
      }
      const sa = summarize(got['a'] ?? [])
      const sb = summarize(got['b'] ?? [])
      say(`${what} okta ${events} ev @${connections}c: ${a.name} ${fmt(sa.rps)} req/s p99 ${fmtMs(sa.p99)}; ${b.name} ${fmt(sb.rps)} req/s p99 ${fmtMs(sb.p99)}`)
      const r = ratio(sa.rps, sb.rps)
      rows.push(row(B, `${what}, okta ${events} ev, ${connections} conn: req/s (${a.name} vs ${b.name})`, {
        target,
        measured: `${fmt(sa.rps)} (${sa.errors} err), p99 ${fmtMs(sa.p99)}`,
        baseline: `${fmt(sb.rps)} (${sb.errors} err), p99 ${fmtMs(sb.p99)}`,
        ratio: fmt(r, 2),
        verdict: report ?? (ok(r) && sa.errors === 0 ? 'pass' : 'miss')
      }))
    }
  }
}

export async function run (): Promise<Row[]> {
  const rows: Row[] = []
  const td = teardowns()
  const s = secrets()
  const stops: Array<() => Promise<void>> = []
  try {
    const single = await startRedis()
    stops.push(single.stop)
    const cluster = await startRedisCluster(td)
    const onSingle = await startReceiver(single.url, s)
    stops.push(onSingle.proc.stop)
    const onCluster = await startReceiver(single.url, s, { REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: '{bench}' })
    stops.push(onCluster.proc.stop)
    say('warming up both receivers')
    for (const t of [onSingle.target, onCluster.target]) await measure(t, 1, 10, 2)
    await compare(rows, 'ingest',
      { target: onCluster.target, ports: cluster.ports, name: 'cluster' },
      { target: onSingle.target, ports: [single.port], name: 'single Redis' },
      '≥ 0.7× single Redis, 0 errors', (r) => r >= 0.7)
    await onSingle.proc.stop()
    await onCluster.proc.stop()

    const sentinel = await startRedisSentinel(td)
    const redisEnv = { REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_MASTER: sentinel.master }
    const waiting = await startReceiver(single.url, s, { ...redisEnv, REDIS_MIN_REPLICAS: '1' })
    stops.push(waiting.proc.stop)
    const plain = await startReceiver(single.url, s, { ...redisEnv, REDIS_MIN_REPLICAS: '0' })
    stops.push(plain.proc.stop)
    for (const t of [waiting.target, plain.target]) await measure(t, 1, 10, 2)
    const ports = [sentinel.primaryPort]
    await compare(rows, 'Sentinel ingest',
      { target: waiting.target, ports, name: 'REDIS_MIN_REPLICAS=1' },
      { target: plain.target, ports, name: 'REDIS_MIN_REPLICAS=0' },
      'reported (the WAIT for the replica\'s ack)', () => true, 'info')
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {})
    await td.run()
  }
  return rows
}

await runMain(B, run)
