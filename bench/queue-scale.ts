/**
 * Bench 4, scale of the queue: with 100,000 waiting jobs, is ingest p99 unchanged (±20 %) against
 * an empty queue; the receiver's RSS; Redis memory per waiting job; and the drain rate of one
 * worker process with the budget lifted, against BullMQ's own no-op processing rate on the same
 * queue in the same run. The 100,000 drain is extrapolated from a measured window, so the bench
 * stays within minutes.
 *
 *   node --import tsx bench/queue-scale.ts
 */
import { spawn } from 'node:child_process'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { enqueueSyncJobs, SYNC_QUEUE, type SyncJobData } from '../queues/sync-queue.js'
import { startRedis } from './lib/redis.js'
import { secrets, serviceEnv } from './lib/setup.js'
import { ROOT, spawnService } from './lib/service.js'
import { startPeers } from './lib/peers.js'
import { measure, startReceiver, summarize } from './lib/ingest.js'
import type { LoadResult } from './lib/load.js'
import { oktaId } from './lib/okta-peer.js'
import { endProcess, sleep, track } from './lib/procs.js'
import { fmt, fmtMs, ratio } from './lib/stats.js'
import { row, runMain, say, verdict, type Row } from './lib/table.js'

const B = '4 queue scale'
const JOBS = Number(process.env['BENCH_SCALE_JOBS'] ?? 100_000)
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3)
const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 3)
const DRAIN_MEASURE_MS = 10_000
const CONCURRENCY = 4

async function noopRate (redisUrl: string): Promise<number> {
  const child = track(spawn(process.execPath, ['--import', 'tsx', 'bench/lib/noop-worker.ts'], {
    cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', REDIS_URL: redisUrl, QUEUE_PREFIX: 'bench', WORKER_CONCURRENCY: String(CONCURRENCY), MEASURE_MS: String(DRAIN_MEASURE_MS) }, stdio: ['ignore', 'pipe', 'inherit']
  }))
  let out = ''
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { out += s })
  const timer = setTimeout(() => { void endProcess(child, 'SIGKILL') }, DRAIN_MEASURE_MS + 30_000)
  await new Promise((resolve) => child.once('close', resolve))
  clearTimeout(timer)
  return (JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { jobsPerSecond?: number }).jobsPerSecond ?? NaN
}

export async function run (): Promise<Row[]> {
  // Two Redis servers, each with its own receiver: one kept empty, one holding the waiting jobs, so
  // that the runs can alternate and both see the same (noisy, shared) machine.
  const redis = await startRedis()
  const emptyRedis = await startRedis()
  const s = secrets()
  const lifted = { max: 1_000_000_000, windowMs: 60_000 }
  // Peers (a 100,000-user sandbox) start only for the drain: their heap would slow the load generator.
  let peers: Awaited<ReturnType<typeof startPeers>> | undefined
  const rx = await startReceiver(redis.url, s)
  const rxEmpty = await startReceiver(emptyRedis.url, s)
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null })
  const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection, prefix: 'bench' })
  const rows: Row[] = []
  try {
    await redis.flush()
    const memBefore = await redis.usedMemory()
    say(`filling ${fmt(JOBS)} waiting jobs`)
    const t0 = Date.now()
    for (let i = 0; i < JOBS; i += 1000) {
      const batch: SyncJobData[] = []
      for (let n = i; n < Math.min(JOBS, i + 1000); n++) batch.push({ source: 'okta', userId: oktaId(n), eventIds: [`fill-${n}`], receivedAt: Date.now() })
      await enqueueSyncJobs(queue, batch, { attempts: 10 })
    }
    const fillMs = Date.now() - t0
    const perJob = (await redis.usedMemory() - memBefore) / JOBS
    say('ingest against the full and the empty queue, alternating')
    await measure(rx.target, 1, 10, 1)
    await measure(rxEmpty.target, 1, 10, 1)
    const empty: LoadResult[] = []
    const full: LoadResult[] = []
    for (let i = 0; i < RUNS; i++) {
      await emptyRedis.flush()
      if (i % 2 === 0) {
        full.push(await measure(rx.target, 1, 10, DURATION_S))
        empty.push(await measure(rxEmpty.target, 1, 10, DURATION_S))
      } else {
        empty.push(await measure(rxEmpty.target, 1, 10, DURATION_S))
        full.push(await measure(rx.target, 1, 10, DURATION_S))
      }
    }
    const rss = await rx.proc.rssMiB()
    const waitingAfter = await queue.getWaitingCount()
    await rx.proc.stop()
    await rxEmpty.proc.stop()
    await emptyRedis.stop()

    say('draining with one worker process, budget lifted')
    peers = await startPeers({ s, users: JOBS, withEmail: false, rateLimit: lifted })
    const worker = await spawnService({
      env: serviceEnv({
        redisUrl: redis.url, enerfloUrl: peers.enerfloUrl, oktaUrl: peers.okta.url, s, role: 'worker',
        extra: { ENERFLO_RATE_LIMIT_MAX: String(lifted.max), ENERFLO_RATE_LIMIT_WINDOW_MS: String(lifted.windowMs), WORKER_CONCURRENCY: String(CONCURRENCY) }
      })
    })
    await sleep(2000)
    const w1 = await queue.getWaitingCount()
    await sleep(DRAIN_MEASURE_MS)
    const w2 = await queue.getWaitingCount()
    const workerRss = await worker.rssMiB()
    await worker.stop()
    const serviceRate = (w1 - w2) / (DRAIN_MEASURE_MS / 1000)
    const putsOk = peers.enerflo.requests().filter((r) => r.status === 200).length
    say(`service drained ${fmt(serviceRate)} jobs/s (${putsOk} PUTs); measuring BullMQ's no-op rate`)
    const noop = await noopRate(redis.url)

    const e = summarize(empty)
    const f = summarize(full)
    const pr = ratio(f.p99, e.p99)
    rows.push(
      row(B, `ingest p99 at 10 conn, ${fmt(JOBS)} waiting vs empty`, {
        target: 'within ±20 %',
        measured: `p99 ${fmtMs(f.p99)} (${fmt(f.rps)} req/s, ${f.errors} err)`,
        baseline: `empty: p99 ${fmtMs(e.p99)} (${fmt(e.rps)} req/s)`,
        ratio: fmt(pr, 2),
        verdict: verdict(pr >= 0.8 && pr <= 1.2 && f.errors === 0),
        note: `${fmt(waitingAfter)} jobs were waiting at the end of the full-queue runs (each run adds its own)`
      }),
      row(B, 'receiver RSS after ingest with the full queue', { measured: `${fmt(rss, 0)} MiB`, verdict: 'info' }),
      row(B, 'Redis memory per waiting job', {
        target: '≤ 1 KiB',
        measured: `${fmt(perJob)} B`,
        baseline: '1,024 B',
        ratio: fmt(perJob / 1024, 2),
        verdict: verdict(perJob <= 1024),
        note: `${fmt(JOBS)} jobs enqueued in ${fmt(fillMs)} ms (${fmt(JOBS / (fillMs / 1000))} jobs/s, batches of 1,000)`
      }),
      row(B, 'drain, budget lifted: jobs/s per worker process', {
        target: 'info (vs BullMQ no-op)',
        measured: `${fmt(serviceRate)} jobs/s (${fmt(JOBS / serviceRate / 60, 1)} min for ${fmt(JOBS)})`,
        baseline: `no-op ${fmt(noop)} jobs/s (${fmt(JOBS / noop / 60, 1)} min)`,
        ratio: fmt(serviceRate / noop, 2),
        verdict: 'info',
        note: `WORKER_CONCURRENCY=${CONCURRENCY} in both; each service job asks Okta twice, reads and writes its Redis state, takes budget and PUTs to the sandbox (peers in the bench process, on the same 2 cores); worker RSS ${fmt(workerRss, 0)} MiB`
      })
    )
  } finally {
    await queue.close()
    connection.disconnect()
    await rx.proc.stop()
    await rxEmpty.proc.stop()
    await emptyRedis.stop()
    await peers?.close()
    await redis.stop()
  }
  return rows
}

await runMain(B, run)
