/**
 * Bench 5, durability cost: ingest (1-event deliveries, 10 connections) against Redis with AOF
 * `appendfsync everysec` (what the README asks for) and with `appendfsync always` (the strict
 * setup), and without AOF for reference. Each Redis has its own receiver; runs alternate.
 *
 *   node --import tsx bench/durability.ts
 */
import { execFileSync } from 'node:child_process'
import { startRedis, type BenchRedis } from './lib/redis.js'
import { secrets } from './lib/setup.js'
import { measure, startReceiver, summarize, type IngestTarget } from './lib/ingest.js'
import type { LoadResult } from './lib/load.js'
import type { ServiceProcess } from './lib/service.js'
import { fmt, fmtMs, ratio } from './lib/stats.js'
import { row, runMain, say, type Row } from './lib/table.js'

const B = '5 durability'
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3)
const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 3)
const SETUPS: Array<{ name: string, args: string[] }> = [
  { name: 'everysec', args: ['--appendonly', 'yes', '--appendfsync', 'everysec'] },
  { name: 'always', args: ['--appendonly', 'yes', '--appendfsync', 'always'] },
  { name: 'no AOF', args: [] }
]

export async function run (): Promise<Row[]> {
  const s = secrets()
  const started: Array<{ name: string, redis: BenchRedis, proc: ServiceProcess, target: IngestTarget }> = []
  try {
    for (const setup of SETUPS) {
      const redis = await startRedis(setup.args)
      const rx = await startReceiver(redis.url, s)
      started.push({ name: setup.name, redis, proc: rx.proc, target: rx.target })
    }
    const got = new Map<string, LoadResult[]>(started.map((x) => [x.name, []]))
    for (const x of started) await measure(x.target, 1, 10, 1)
    for (let i = 0; i < RUNS; i++) {
      for (const x of i % 2 === 0 ? started : [...started].reverse()) {
        await x.redis.flush()
        got.get(x.name)?.push(await measure(x.target, 1, 10, DURATION_S))
      }
    }
    const r = (name: string): LoadResult => summarize(got.get(name) ?? [])
    const base = r('everysec')
    const strict = r('always')
    const off = r('no AOF')
    say(`everysec ${fmt(base.rps)} req/s, always ${fmt(strict.rps)} req/s, off ${fmt(off.rps)} req/s`)
    const fs = execFileSync('df', ['-T', started[0]?.redis.dir ?? '/tmp'], { encoding: 'utf8' }).trim().split('\n').at(-1)?.split(/\s+/)[1] ?? '?'
    const desc = (x: LoadResult): string => `${fmt(x.rps)} req/s, p99 ${fmtMs(x.p99)} (${x.errors} err)`
    return [
      row(B, 'ingest 1 ev @10 conn, appendfsync always vs everysec: req/s', {
        target: 'ratio (no target)', measured: desc(strict), baseline: desc(base), ratio: fmt(ratio(strict.rps, base.rps), 2), verdict: 'info',
        note: `AOF files on ${fs} (${started[0]?.redis.dir ?? ''}); the ratio depends on the disk's fsync latency, so measure on the production volume`
      }),
      row(B, 'same: p99', { target: 'ratio (no target)', measured: fmtMs(strict.p99), baseline: fmtMs(base.p99), ratio: fmt(ratio(strict.p99, base.p99), 2), verdict: 'info' }),
      row(B, 'ingest with AOF off vs everysec: req/s (reference)', {
        target: 'ratio (no target)', measured: desc(off), baseline: desc(base), ratio: fmt(ratio(off.rps, base.rps), 2), verdict: 'info'
      })
    ]
  } finally {
    for (const x of started) { await x.proc.stop(); await x.redis.stop() }
  }
}

await runMain(B, run)
