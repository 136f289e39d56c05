/**
 * Bench 9, lanes and the brake (issue 13). Enerflo's budget scaled to 600 per 10 s (60/s, the
 * same limiter code) so a 2,000-job backlog lasts about 33 s instead of 7 minutes.
 * (a) 2,000 reconcile-lane jobs wait; 20 Okta suspensions arrive one by one; measured: event sent
 *     → its `active: false` PUT at the sandbox, p50/p99, against backlog ÷ rate (what a single
 *     FIFO lane would make the last of them wait).
 * (b) the brake: BRAKE_MAX_PERCENT=1 of 2,000 linked users (20); 200 users suspended with a new
 *     phone and 200 others with a new phone only; measured: deactivations past the limit (0),
 *     phones applied for all 400.
 *
 *   node --import tsx bench/lanes.ts
 */
import type { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { startRedis } from './lib/redis.js'
import { secrets, serviceEnv } from './lib/setup.js'
import { spawnService } from './lib/service.js'
import { queueView, sendDeliveries, startPeers } from './lib/peers.js'
import { oktaDelivery } from './lib/deliveries.js'
import { ENERFLO_ID_BASE, oktaId } from './lib/okta-peer.js'
import { pollUntil, sleep } from './lib/procs.js'
import { fmt, percentile } from './lib/stats.js'
import { row, runMain, say, verdict, type Row } from './lib/table.js'
import { enqueueSyncJobs, type SyncJobData } from '../queues/sync-queue.js'

const B = '9 lanes'
const LIMIT = 600
const WINDOW_MS = 10_000
const USERS = 2_000
const SUSPENSIONS = 20
const MASS = 200
/** /readyz also wants the credential checks good, which the bench's Okta peer does not answer. */
const READY = '/healthz'

const suspension = (ids: string[]): string => oktaDelivery(ids).replaceAll('user.account.update_profile', 'user.lifecycle.suspend')

export async function run (): Promise<Row[]> {
  const redis = await startRedis()
  const s = secrets()
  const peers = await startPeers({ s, users: USERS, withEmail: false, rateLimit: { max: LIMIT, windowMs: WINDOW_MS } })
  const view = queueView(redis.url)
  const env = (role: 'api' | 'worker', extra: Record<string, string>): Record<string, string> => serviceEnv({
    redisUrl: redis.url, enerfloUrl: peers.enerfloUrl, oktaUrl: peers.okta.url, s, role,
    extra: { ENERFLO_RATE_LIMIT_MAX: String(LIMIT), ENERFLO_RATE_LIMIT_WINDOW_MS: String(WINDOW_MS), LOG_LEVEL: 'warn', ...extra }
  })
  const api = await spawnService({ env: env('api', {}), readyPath: READY })
  const url = `${api.baseUrl}/webhooks/okta`
  const rows: Row[] = []
  const puts = (): Array<{ at: number, userId: number | undefined, body: Record<string, unknown> }> =>
    peers.enerflo.requests().filter((r) => r.status === 200).map((r) => ({ at: r.at, userId: r.userId, body: r.body as Record<string, unknown> }))
  try {
    // (a) A backlog in the reconcile lane, then suspensions one by one (the brake out of the way).
    let worker = await spawnService({ env: env('worker', { BRAKE_MIN_USERS: '100000' }), readyPath: READY })
    const backlog: SyncJobData[] = Array.from({ length: USERS }, (_, n) => ({ source: 'okta', userId: oktaId(n), eventIds: [], receivedAt: Date.now(), lane: 'reconcile' }))
    await enqueueSyncJobs(view.queue as unknown as Queue<SyncJobData>, backlog, { attempts: 3 })
    const sent = new Map<number, number>()
    for (let i = 0; i < SUSPENSIONS; i++) {
      // Users from the end of the backlog: their reconcile jobs wait too, and must be raised.
      const n = USERS - 1 - i * 7
      peers.okta.setStatus(n, 'SUSPENDED')
      sent.set(ENERFLO_ID_BASE + n, Date.now())
      await sendDeliveries(url, s.webhook, [suspension([oktaId(n)])])
      await sleep(500)
    }
    await pollUntil(async () => puts().filter((p) => p.body.active === false).length, (c) => c >= SUSPENSIONS, 60_000, 100)
    const waits = puts().filter((p) => p.body.active === false && p.userId !== undefined && sent.has(p.userId)).map((p) => p.at - (sent.get(p.userId as number) as number))
    const floorMs = USERS / LIMIT * WINDOW_MS
    const p99 = waits.length === SUSPENSIONS ? percentile(waits, 99) : undefined
    say(`lanes: ${waits.length} suspensions applied, p50 ${fmt(percentile(waits, 50))} ms, p99 ${fmt(p99)} ms`)
    rows.push(row(B, `suspension → its Enerflo PUT while ${fmt(USERS)} reconcile jobs wait (p50 / p99 of ${SUSPENSIONS})`, {
      target: 'p99 ≤ 2 s',
      measured: `${fmt(percentile(waits, 50))} / ${fmt(p99)} ms`,
      baseline: `${fmt(floorMs / 1000, 1)} s (backlog ÷ rate, one FIFO lane)`,
      ratio: p99 === undefined ? '–' : fmt(p99 / floorMs, 3),
      verdict: p99 === undefined ? 'error' : verdict(p99 <= 2000)
    }))
    await view.settled(floorMs * 2 + 30_000)
    await worker.stop()

    // (b) A mass suspension with the brake at 1 % of the 2,000 users now linked.
    worker = await spawnService({ env: env('worker', { BRAKE_MAX_PERCENT: '1', BRAKE_MIN_USERS: '5' }), readyPath: READY })
    // (a)'s 20 suspensions are still in the window; (b) starts from an empty one.
    const r = new Redis(redis.url)
    await r.del('bench:brake:window')
    r.disconnect()
    const before = puts().length
    const mass: string[] = []
    const others: string[] = []
    for (let n = 0; n < 2 * MASS; n++) {
      peers.okta.change(n, { mobilePhone: '602-555-0177' })
      if (n < MASS) { peers.okta.setStatus(n, 'SUSPENDED'); mass.push(oktaId(n)) } else others.push(oktaId(n))
    }
    const bodies: string[] = []
    for (let i = 0; i < MASS; i += 20) bodies.push(suspension(mass.slice(i, i + 20)), oktaDelivery(others.slice(i, i + 20)))
    await sendDeliveries(url, s.webhook, bodies)
    await pollUntil(async () => puts().length - before, (c) => c >= 2 * MASS, 60_000, 100)
    await view.settled(30_000)
    const after = puts().slice(before)
    const deactivated = after.filter((p) => p.body.active === false).length
    const phones = new Set(after.filter((p) => p.body.phone === '6025550177').map((p) => p.userId)).size
    const limit = Math.max(Math.floor(USERS / 100), 5)
    rows.push(row(B, `held mass suspension of ${MASS}: deactivations past the brake's limit (${limit})`, {
      target: '0', measured: fmt(deactivated - limit), baseline: `${MASS} without the brake`, verdict: verdict(deactivated === limit)
    }))
    rows.push(row(B, 'during the hold: phone changes applied (held users and others)', {
      target: `${2 * MASS}`, measured: fmt(phones), baseline: `${2 * MASS}`, ratio: fmt(phones / (2 * MASS), 3), verdict: verdict(phones === 2 * MASS)
    }))
    await worker.stop()
  } finally {
    await api.stop()
    await view.close()
    await peers.close()
    await redis.stop()
  }
  return rows
}

await runMain(B, run)
