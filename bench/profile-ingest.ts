/**
 * CPU profile of the ingest hot path: the receiver process runs with --cpu-prof while autocannon
 * sends 1-event deliveries at 10 connections (and then 20-event ones), and the profile is
 * summarised by file and by function (self and inclusive ms, and µs per request). Not part of
 * `npm run bench`: it explains the ingest figures rather than measuring them.
 *
 *   node --import tsx bench/profile-ingest.ts [--events 1|20] [--seconds 8] [--connections 10] [--graph]
 */
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRedis } from './lib/redis.js'
import { secrets } from './lib/setup.js'
import { graphEnv, measure, startReceiver } from './lib/ingest.js'
import { analyze, type Attribution } from './lib/cpuprofile.js'
import { fmt } from './lib/stats.js'
import { say } from './lib/table.js'

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : dflt
}
const events = arg('events', 1)
const seconds = Math.min(60, arg('seconds', 8))
const connections = arg('connections', 10)
const logLevel = process.env['BENCH_LOG_LEVEL'] ?? 'info'
const provider = process.argv.includes('--graph') ? 'graph' : 'okta'

const dir = mkdtempSync(join(tmpdir(), 'efs-cpuprof-'))
const redis = await startRedis()
const s = secrets()
const rx = await startReceiver(redis.url, s, { LOG_LEVEL: logLevel, ...(provider === 'graph' ? graphEnv(s.webhook) : {}) }, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
if (provider === 'graph') rx.target = { ...rx.target, url: rx.target.url.replace('/okta', '/graph'), headers: {} }
say(`warming up, then ${seconds} s of ${events}-item ${provider} deliveries at ${connections} connections (LOG_LEVEL=${logLevel})`)
const warm = await measure(rx.target, events, 10, 2, provider, s.webhook)
await redis.flush()
const r = await measure(rx.target, events, connections, seconds, provider, s.webhook)
await rx.proc.stop()
await redis.stop()
// One profile per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>): the main thread is 0; the
// others are tsx's module-loader thread, idle once the service runs.
const file = readdirSync(dir).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) ?? readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
if (file === undefined) throw new Error(`no profile written in ${dir}`)
const { wallMs, idleMs, byFunction, byFile, folded } = analyze(join(dir, file), `plugins/webhooks/${provider}.ts`)
// Start-up is skipped (samples count from the first request); the warm-up's requests are in.
const requests = r.rps * seconds + warm.rps * 2
const out: string[] = [
  `profile: ${join(dir, file)}`,
  `load: ${fmt(r.rps)} req/s, p99 ${fmt(r.p99, 2)} ms, ${r.errors} errors; profile wall ${fmt(wallMs)} ms, idle ${fmt(idleMs)} ms, ~${fmt(requests)} requests profiled`
]
const perReq = (ms: number): string => fmt((ms * 1000) / requests, 1)
const print = (title: string, rows: Attribution[], by: 'selfMs' | 'totalMs', n: number, filter: (a: Attribution) => boolean = () => true): void => {
  out.push('', `${title} (ms, µs per request)`)
  for (const a of rows.filter(filter).sort((x, y) => y[by] - x[by]).slice(0, n)) {
    out.push(`  ${fmt(a[by]).padStart(7)} ms ${perReq(a[by]).padStart(7)} µs  ${a.key}`)
  }
}
print('self time by file', byFile, 'selfMs', 25)
print('inclusive time, project code (src/ plugins/ queues/)', byFunction, 'totalMs', 25, (a) => /\s(src|plugins|queues)\//.test(a.key))
print('inclusive time, selected libraries', byFunction, 'totalMs', 30, (a) => /pino|sonic-boom|ajv|bullmq|ioredis|fast-json-stringify|avvio|fastify\/lib\/(route|handleRequest|contentTypeParser|reply)/.test(a.key))
print('self time by function', byFunction, 'selfMs', 30)
print('native self time by nearest JS caller', folded, 'selfMs', 25, (a) => a.key.includes(' ← '))
process.stdout.write(`${out.join('\n')}\n`)
process.exit(0)
