/**
 * Bench 12, the SCIM server (issue 17). Entra's provisioning expects about 25 requests a second,
 * answered within seconds; Enerflo takes 5 writes a second (300 a minute, the real limit here).
 * An open-loop client sends SCIM creates and PATCHes on a fixed schedule (latency counted from the
 * scheduled send, so a slow answer cannot hide the ones queued behind it) while the queue drains
 * into the Enerflo simulator; then every user's last change must be in Enerflo.
 *
 *   node --import tsx bench/scim.ts           # BENCH_SCIM_PLAN=25x20,100x5 (rate x seconds, each run)
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { startRedis } from './lib/redis.js'
import { secrets, serviceEnv } from './lib/setup.js'
import { spawnService } from './lib/service.js'
import { queueView, startPeers } from './lib/peers.js'
import { ENERFLO_ID_BASE } from './lib/okta-peer.js'
import { pollUntil, sleep } from './lib/procs.js'
import { fmt, percentile } from './lib/stats.js'
import { row, runMain, say, verdict, type Row } from './lib/table.js'

const B = '12 scim'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
// 25/s is the target; 100/s for a short burst shows the headroom without a 5-minute drain.
const PLAN = (process.env['BENCH_SCIM_PLAN'] ?? '25x20,100x5').split(',').map((p) => p.split('x').map(Number) as [number, number]).filter(([r, d]) => r > 0 && d > 0)
/** Two PATCHes per created user: a rename and a new phone, the way provisioning cycles send them. */
const PATCHES_PER_USER = 2
const ENERFLO_LIMIT = 300
const ENERFLO_WINDOW_MS = 60_000

function mapping (): string {
  const file = join(mkdtempSync(join(tmpdir(), 'efs-bench-scim-')), 'mapping.json')
  writeFileSync(file, JSON.stringify({
    identity: { scim: { enerfloUserIdAttribute: `${ENTERPRISE}:employeeNumber` } },
    roles: [{ group: 'Reps', roles: ['Sales Rep'] }],
    offices: [{ group: 'Phoenix', officeId: 101 }]
  }))
  return file
}

interface Step { at: number, method: 'POST' | 'PATCH', user: number, body: string }

/** The schedule: for each user a create, then its PATCHes spread over the rest of the run. */
function schedule (rate: number, seconds: number, firstUser: number): Step[] {
  const total = Math.round(rate * seconds)
  const users = Math.floor(total / (1 + PATCHES_PER_USER))
  const steps: Step[] = []
  let sent = 0
  const next = (): number => (sent++ * 1000) / rate
  for (let u = 0; u < users; u++) {
    const n = firstUser + u
    steps.push({
      at: next(), method: 'POST', user: n,
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE], userName: `scim${n}@bench.example`, externalId: `ext-${n}`, active: true,
        name: { givenName: `First${n}`, familyName: 'Bench' }, emails: [{ value: `scim${n}@bench.example`, type: 'work', primary: true }],
        [ENTERPRISE]: { employeeNumber: String(ENERFLO_ID_BASE + n) }
      })
    })
    for (let p = 0; p < PATCHES_PER_USER; p++) {
      steps.push({
        at: next(), method: 'PATCH', user: n,
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: p === 0
            ? [{ op: 'Replace', path: 'name.givenName', value: `Renamed${n}` }]
            : [{ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: `480-555-${String(1000 + (n % 9000)).padStart(4, '0')}` }]
        })
      })
    }
  }
  // PATCHes need their user's id: keep each after its create, interleaved by time.
  return steps.sort((a, b) => a.at - b.at)
}

export async function run (): Promise<Row[]> {
  const redis = await startRedis()
  const s = secrets()
  const token = randomBytes(24).toString('hex')
  const maxUsers = PLAN.reduce((a, [r, d]) => a + Math.floor(r * d / (1 + PATCHES_PER_USER)), 0)
  const peers = await startPeers({ s, users: maxUsers, withEmail: false, rateLimit: { max: ENERFLO_LIMIT, windowMs: ENERFLO_WINDOW_MS } })
  const view = queueView(redis.url)
  const env = serviceEnv({ redisUrl: redis.url, enerfloUrl: peers.enerfloUrl, oktaUrl: peers.okta.url, s, role: 'all', extra: { SCIM_TOKEN: token, MAPPING_FILE: mapping(), LOG_LEVEL: 'warn' } })
  const service = await spawnService({ env, readyPath: '/healthz' })
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }
  const rows: Row[] = []
  let firstUser = 0
  try {
    for (const [rate, seconds] of PLAN) {
      const steps = schedule(rate, seconds, firstUser)
      const ids = new Map<number, Promise<string | undefined>>()
      const latencies: number[] = []
      let errors = 0
      const start = performance.now() + 50
      const wallStart = Date.now() + 50
      await Promise.all(steps.map(async (step) => {
        await sleep(Math.max(0, start + step.at - performance.now()))
        if (step.method === 'POST') {
          const created = request(`${service.baseUrl}/scim/v2/Users`, { method: 'POST', headers, body: step.body }).then(async (res) => {
            const body = await res.body.json() as { id?: string }
            latencies.push(performance.now() - start - step.at)
            if (res.statusCode !== 201) { errors++; return undefined }
            return body.id
          }, () => { errors++; return undefined })
          ids.set(step.user, created)
          await created
          return
        }
        const id = await ids.get(step.user)
        if (id === undefined) { errors++; return }
        const res = await request(`${service.baseUrl}/scim/v2/Users/${id}`, { method: 'PATCH', headers, body: step.body }).catch(() => undefined)
        if (res === undefined) { errors++; return }
        await res.body.dump()
        latencies.push(performance.now() - start - step.at)
        if (res.statusCode !== 200) errors++
      }))
      const elapsedS = (performance.now() - start) / 1000
      const achieved = steps.length / elapsedS
      const p50 = percentile(latencies, 50)
      const p99 = percentile(latencies, 99)
      say(`scim ${rate}/s: ${steps.length} requests in ${fmt(elapsedS, 1)} s, p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms, ${errors} errors`)
      const users = Math.floor(steps.length / (1 + PATCHES_PER_USER))
      // Every user's last change (the new first name and phone) in Enerflo, through the 5/s budget.
      const drainStart = Date.now()
      const applied = (): number => {
        let n = 0
        for (let u = firstUser; u < firstUser + users; u++) {
          const e = peers.enerflo.user(ENERFLO_ID_BASE + u)
          if (e?.first_name === `Renamed${u}` && e.phone === `480555${String(1000 + (u % 9000)).padStart(4, '0')}`) n++
        }
        return n
      }
      const drainBudgetMs = (users * 2 / (ENERFLO_LIMIT / (ENERFLO_WINDOW_MS / 1000))) * 1000 + 60_000
      const done = await pollUntil(async () => applied(), (n) => n === users, drainBudgetMs, 500)
      const drainS = (Date.now() - drainStart) / 1000
      // The Enerflo writes of this run, and the rate they went at from its first request.
      const puts = peers.enerflo.requests().filter((r) => r.at >= wallStart)
      const lastPut = Math.max(wallStart + 1, ...puts.map((r) => r.at))
      const putsPerS = puts.length / ((lastPut - wallStart) / 1000)
      say(`scim ${rate}/s: ${done.value}/${users} users applied in Enerflo, ${fmt(drainS, 1)} s after the last request`)
      const target = rate === 25
      rows.push(row(B, `SCIM creates + PATCHes at ${rate}/s for ${seconds} s: answered req/s (p50 / p99)`, {
        target: target ? '≥ 25 req/s, p99 ≤ 200 ms, 0 errors' : 'info (headroom)',
        measured: `${fmt(achieved, 1)} req/s (${fmt(p50, 1)} / ${fmt(p99, 1)} ms), ${errors} errors`,
        baseline: `Enerflo takes ${fmt(ENERFLO_LIMIT / (ENERFLO_WINDOW_MS / 1000))} writes/s (${puts.length} PUTs, ${fmt(putsPerS, 2)}/s seen)`,
        ratio: fmt(achieved / (ENERFLO_LIMIT / (ENERFLO_WINDOW_MS / 1000)), 2),
        verdict: target ? verdict(achieved >= 25 && p99 <= 200 && errors === 0) : 'info'
      }))
      rows.push(row(B, `after the ${rate}/s run: users whose last change reached Enerflo`, {
        target: `${users} of ${users}`,
        measured: `${done.value} of ${users} (${fmt(drainS, 1)} s after the last request)`,
        baseline: `${fmt(users * 2 / 5, 0)} s at 5 writes/s for 2 writes a user`,
        ratio: fmt(done.value / users, 3),
        verdict: verdict(done.value === users)
      }))
      await view.settled(60_000)
      firstUser += users
    }
  } finally {
    await service.stop()
    await view.close()
    await peers.close()
    await redis.stop()
  }
  return rows
}

await runMain(B, run)
