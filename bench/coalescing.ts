/**
 * Bench 2, coalescing: 500 linked users already in step, then 400 of them change at Okta and a
 * burst of 10,000 events (hot users get many: user index ~ 500·u³) arrives in deliveries of 20,
 * while the workers run with an unbinding budget (the hardest case: nothing waits for budget, so
 * nothing coalesces by waiting). Enerflo calls ÷ changed users must be 1.0 (≤ 1.05); then 1,000
 * events for users that did not change must cost 0 calls.
 *
 *   node --import tsx bench/coalescing.ts
 */
import { startRedis } from './lib/redis.js'
import { secrets, serviceEnv } from './lib/setup.js'
import { spawnService } from './lib/service.js'
import { queueView, sendDeliveries, startPeers } from './lib/peers.js'
import { oktaDelivery } from './lib/deliveries.js'
import { oktaId } from './lib/okta-peer.js'
import { fmt, seeded } from './lib/stats.js'
import { row, runMain, say, verdict, type Row } from './lib/table.js'

const B = '2 coalescing'
const USERS = 500
const EVENTS = 10_000
const PER_DELIVERY = 20
const QUIET_EVENTS = 1_000

/** Deliveries of PER_DELIVERY events whose users are drawn by pick(). */
function burst (events: number, pick: () => number): { bodies: string[], users: Set<number> } {
  const bodies: string[] = []
  const users = new Set<number>()
  for (let i = 0; i < events; i += PER_DELIVERY) {
    const ids: string[] = []
    for (let j = 0; j < PER_DELIVERY && i + j < events; j++) {
      const n = pick()
      users.add(n)
      ids.push(oktaId(n))
    }
    bodies.push(oktaDelivery(ids))
  }
  return { bodies, users }
}

export async function run (): Promise<Row[]> {
  const redis = await startRedis()
  const s = secrets()
  const rateLimit = { max: 1_000_000, windowMs: 60_000 }
  const peers = await startPeers({ s, users: USERS, withEmail: true, rateLimit })
  const proc = await spawnService({
    env: serviceEnv({
      redisUrl: redis.url, enerfloUrl: peers.enerfloUrl, oktaUrl: peers.okta.url, s, role: 'all',
      extra: { ENERFLO_RATE_LIMIT_MAX: String(rateLimit.max), ENERFLO_RATE_LIMIT_WINDOW_MS: String(rateLimit.windowMs), LOG_LEVEL: 'warn' }
    })
  })
  const view = queueView(redis.url)
  const url = `${proc.baseUrl}/webhooks/okta`
  const puts = (): number => peers.enerflo.requests().length
  try {
    say('priming: one sync of every user so each has a baseline')
    const all = Array.from({ length: USERS }, (_, n) => n)
    const prime: string[] = []
    for (let i = 0; i < USERS; i += PER_DELIVERY) prime.push(oktaDelivery(all.slice(i, i + PER_DELIVERY).map(oktaId)))
    await sendDeliveries(url, s.webhook, prime)
    if (!await view.settled(60_000) || puts() !== USERS) throw new Error(`priming did not settle (${puts()} PUTs)`)
    const before = puts()

    // Every fifth user keeps its state: events for it must cost nothing.
    const changed = new Set(all.filter((n) => n % 5 !== 0))
    for (const n of changed) peers.okta.change(n, { lastName: `Changed${n}` })
    const rnd = seeded(42)
    const { bodies, users } = burst(EVENTS, () => Math.min(USERS - 1, Math.floor(USERS * rnd() ** 3)))
    const changedWithEvents = [...users].filter((n) => changed.has(n)).length
    say(`burst: ${EVENTS} events for ${users.size} users (${changedWithEvents} changed) in ${bodies.length} deliveries`)
    const t0 = Date.now()
    await sendDeliveries(url, s.webhook, bodies)
    const sentMs = Date.now() - t0
    if (!await view.settled(120_000)) throw new Error('the burst did not settle within 120 s')
    const settledMs = Date.now() - t0
    const reqs = peers.enerflo.requests().slice(before)
    const calls = reqs.length
    const perUser = new Map<number, number>()
    for (const r of reqs) if (r.userId !== undefined) perUser.set(r.userId, (perUser.get(r.userId) ?? 0) + 1)
    const unchangedCalled = [...perUser.keys()].filter((id) => !changed.has(id - 100_000)).length
    const ratio = calls / changedWithEvents
    const statuses = new Set(reqs.map((r) => r.status))

    say('quiet: 1,000 events that change nothing')
    const quietBefore = puts()
    const quiet = burst(QUIET_EVENTS, () => Math.floor(USERS * rnd()))
    await sendDeliveries(url, s.webhook, quiet.bodies)
    if (!await view.settled(60_000)) throw new Error('the quiet events did not settle within 60 s')
    const quietCalls = puts() - quietBefore

    return [
      row(B, `${fmt(EVENTS)} events / ${USERS} users: Enerflo calls ÷ changed users`, {
        target: '≤ 1.05 (floor 1.0)',
        measured: `${fmt(calls)} calls / ${fmt(changedWithEvents)} users`,
        baseline: '1 call per changed user',
        ratio: fmt(ratio, 3),
        verdict: verdict(ratio >= 1 && ratio <= 1.05 && unchangedCalled === 0),
        note: `burst sent in ${fmt(sentMs)} ms, settled in ${fmt(settledMs)} ms; most events for one user: ${fmt(Math.max(...countHits(bodies)))}; ` +
          `users that got more than one call: ${[...perUser.values()].filter((n) => n > 1).length}; unchanged users called: ${unchangedCalled}; ` +
          `answers: ${[...statuses].join(', ')}; most concurrent PUTs for one user: ${peers.enerflo.maxConcurrentPerUser()}`
      }),
      row(B, `${fmt(QUIET_EVENTS)} events that change nothing: Enerflo calls`, {
        target: '0', measured: fmt(quietCalls), baseline: '0', ratio: '–', verdict: verdict(quietCalls === 0)
      })
    ]
  } finally {
    await proc.stop()
    await view.close()
    await peers.close()
    await redis.stop()
  }
}

/** Events per user in the burst, from the bodies (for the note). */
function countHits (bodies: string[]): number[] {
  const hits = new Map<string, number>()
  for (const b of bodies) for (const m of b.matchAll(/"id":"(00ub\d+)","type":"User"/g)) hits.set(m[1] as string, (hits.get(m[1] as string) ?? 0) + 1)
  return [...hits.values()]
}

await runMain(B, run)
