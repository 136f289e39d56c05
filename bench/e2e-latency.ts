/**
 * Bench 6, end-to-end latency: one service process (SERVICE_ROLE=all, the `npm start` shape) at a
 * steady 2 events/s, each for a different user whose Enerflo state is stale, with Okta and Enerflo
 * both answering in 100 ms and the budget at Enerflo's real 300/min (2/s is under it). Latency is
 * from just before the bench sends the webhook to the moment the sandbox finished answering the
 * PUT for that user (same clock: the sandbox runs in the bench process). The provider floor is
 * 3 × 100 ms (Okta user, Okta groups, Enerflo PUT, in sequence).
 *
 *   node --import tsx bench/e2e-latency.ts
 */
import { request } from 'undici'
import { startRedis } from './lib/redis.js'
import { secrets, serviceEnv } from './lib/setup.js'
import { spawnService } from './lib/service.js'
import { queueView, startPeers } from './lib/peers.js'
import { oktaDelivery } from './lib/deliveries.js'
import { ENERFLO_ID_BASE, oktaId } from './lib/okta-peer.js'
import { sleep } from './lib/procs.js'
import { fmt, fmtMs, percentile } from './lib/stats.js'
import { row, runMain, say, verdict, type Row } from './lib/table.js'

const B = '6 end-to-end'
const RATE = 2
const EVENTS = Number(process.env['BENCH_E2E_EVENTS'] ?? 80)
const PROVIDER_MS = 100

export async function run (): Promise<Row[]> {
  const redis = await startRedis()
  const s = secrets()
  const peers = await startPeers({ s, users: EVENTS, withEmail: true, rateLimit: { max: 300, windowMs: 60_000 }, oktaLatencyMs: PROVIDER_MS })
  peers.enerflo.inject({ kind: 'latency', ms: PROVIDER_MS, count: 1_000_000 })
  const proc = await spawnService({
    env: serviceEnv({ redisUrl: redis.url, enerfloUrl: peers.enerfloUrl, oktaUrl: peers.okta.url, s, role: 'all' })
  })
  const view = queueView(redis.url)
  const sentAt = new Map<number, number>()
  const answers: number[] = []
  try {
    say(`${EVENTS} events at ${RATE}/s (about ${fmt(EVENTS / RATE)} s)`)
    const start = Date.now() + 200
    const inflight: Array<Promise<void>> = []
    for (let i = 0; i < EVENTS; i++) {
      const due = start + (i * 1000) / RATE
      await sleep(Math.max(0, due - Date.now()))
      const body = oktaDelivery([oktaId(i)])
      sentAt.set(ENERFLO_ID_BASE + i, Date.now())
      const t = Date.now()
      inflight.push(request(`${proc.baseUrl}/webhooks/okta`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: s.webhook }, body })
        .then(async (res) => { await res.body.dump(); if (res.statusCode === 200) answers.push(Date.now() - t) }))
    }
    await Promise.all(inflight)
    await view.settled(30_000)
  } finally {
    await proc.stop()
    await view.close()
  }
  const latencies: number[] = []
  let failed = 0
  for (const r of peers.enerflo.requests()) {
    const sent = r.userId === undefined ? undefined : sentAt.get(r.userId)
    if (sent === undefined) continue
    if (r.status !== 200) { failed++; continue }
    latencies.push(r.at + r.durationMs - sent)
  }
  await peers.close()
  await redis.stop()
  const p50 = percentile(latencies, 50)
  const p99 = percentile(latencies, 99)
  const floor = 3 * PROVIDER_MS
  return [
    row(B, `webhook → Enerflo write acknowledged at ${RATE} events/s`, {
      target: 'p99 ≤ 1 s',
      measured: `p99 ${fmtMs(p99)} (p50 ${fmtMs(p50)}, max ${fmtMs(Math.max(...latencies))}; ${latencies.length}/${EVENTS} applied)`,
      baseline: `${floor} ms of provider time`,
      ratio: fmt(p99 / floor, 2),
      verdict: verdict(p99 <= 1000 && latencies.length === EVENTS && failed === 0),
      note: `webhook answered in p50 ${fmtMs(percentile(answers, 50))}, p99 ${fmtMs(percentile(answers, 99))}; ` +
        `the service's own share at p50 is ${fmtMs(p50 - floor)} (queue pickup, Redis state reads and writes, budget)`
    })
  ]
}

await runMain(B, run)
