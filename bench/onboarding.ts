/**
 * Bench 8, onboarding (issue 11): an existing Enerflo company of 5,000 active and 150 inactive
 * users, all 5,000 active ones at Okta with the Enerflo id attribute.
 *
 *   (a) reading the directory (src/enerflo/directory.ts refresh with the product's Enerflo client,
 *       in the bench process) costs ⌈5,000 ÷ 100⌉ + ⌈150 ÷ 100⌉ = 52 reads, against the same 52
 *       GETs sent bare as the in-run baseline for its wall time;
 *   (b) the 5,000 are linked (the state store's link, as PUT /ops/links does), brought in step by
 *       a first `enerflo` pass that the real worker carries out (every user is "never synced",
 *       so each is synced once), then a second pass with no drift must make 0 writes;
 *   (c) 50 users are edited in the simulator by hand (a direct PUT), and the next pass must make
 *       exactly 50 writes, one per drifted user, each putting that user back.
 *
 * The service runs as a real process (SERVICE_ROLE=all); passes start with POST /ops/reconcile
 * {"source":"enerflo","dryRun":false} and are followed on GET /ops/reconcile/{run}. The Enerflo
 * simulator and the Okta peer run in the bench process, with the Enerflo limit scaled up (and
 * ENERFLO_RATE_LIMIT_MAX with it) so the 5,000 first syncs do not take 17 minutes.
 *
 *   node --import tsx bench/onboarding.ts
 */
import { request } from 'undici'
import { createEnerfloSandbox, type SandboxUser } from '../src/simulators/enerflo/sandbox.js'
import { createEnerfloClient, PAGE_SIZE } from '../src/enerflo/client.js'
import { createDirectory } from '../src/enerflo/directory.js'
import { createBudget } from '../src/sync/budget.js'
import { createStateStore } from '../src/sync/state-store.js'
import { userKey } from '../src/sync/source.js'
import { startRedis } from './lib/redis.js'
import { secret, secrets, serviceEnv } from './lib/setup.js'
import { spawnService } from './lib/service.js'
import { queueView } from './lib/peers.js'
import { ENERFLO_ID_BASE, MAPPING, oktaId, staleEnerfloUsers, startOktaPeer } from './lib/okta-peer.js'
import { pollUntil, sleep } from './lib/procs.js'
import { fmt, fmtMs, median } from './lib/stats.js'
import { row, runMain, say, verdict, type Row } from './lib/table.js'

const B = '8 onboarding'
const ACTIVE = 5_000
const INACTIVE = 150
const DRIFTED = 50
const RUNS = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 3))
const INACTIVE_ID_BASE = 900_000
const READ_FLOOR = Math.ceil(ACTIVE / PAGE_SIZE) + Math.ceil(INACTIVE / PAGE_SIZE)
const PASS_TIMEOUT_MS = 120_000
const DRAIN_TIMEOUT_MS = 180_000

function inactiveUsers (): SandboxUser[] {
  return Array.from({ length: INACTIVE }, (_, i) => ({
    id: INACTIVE_ID_BASE + i,
    first_name: `Former${i}`,
    last_name: 'Bench',
    email: `former${i}@bench.example`,
    active: false,
    roles: ['Sales Rep'],
    office_ids: [101],
    surveys: 0,
    appointments: 0
  }))
}

/** The hand edits: 50 users spread over the list, four kinds of managed field. */
function handEdit (i: number, id: number): Record<string, unknown> {
  switch (i % 4) {
    case 0: return { id, first_name: `HandEdited${i}` }
    case 1: return { id, last_name: 'EditedInEnerflo' }
    case 2: return { id, phone: '480-555-0199' }
    default: return { id, roles: ['Setter'] }
  }
}

/**
 * What "put back" compares: the fields the mapping manages (roles: only the managed Sales Rep; a
 * role granted by hand in Enerflo is kept by design, so the Setter of a hand edit may stay).
 */
function managed (u: SandboxUser | undefined): string {
  if (u === undefined) return 'missing'
  return JSON.stringify([u.first_name, u.last_name, u.email, u.phone, u.roles.filter((r) => MAPPING.roles.some((m) => m.roles.includes(r))).sort(), u.office_ids, u.active])
}

interface PassResult { runId: string, state: string, report: Record<string, number>, queued: number, passMs: number, drainMs: number, reads: number, puts: Array<{ userId: number | undefined, status: number, body: unknown }> }

export async function run (): Promise<Row[]> {
  const redis = await startRedis()
  const s = secrets()
  const opsToken = secret()
  const rateLimit = { max: 1_000_000, windowMs: 60_000 }
  const enerflo = createEnerfloSandbox({ apiKey: s.enerfloKey, users: [...staleEnerfloUsers(ACTIVE, true), ...inactiveUsers()], offices: [101], rateLimit })
  const enerfloUrl = await enerflo.listen(0, '127.0.0.1')
  const okta = await startOktaPeer({ token: s.oktaToken, users: ACTIVE, withEmail: true })
  const proc = await spawnService({
    env: serviceEnv({
      redisUrl: redis.url, enerfloUrl, oktaUrl: okta.url, s, role: 'all',
      extra: { OPS_TOKEN: opsToken, ENERFLO_RATE_LIMIT_MAX: String(rateLimit.max), ENERFLO_RATE_LIMIT_WINDOW_MS: String(rateLimit.windowMs), LOG_LEVEL: 'warn' }
    })
  })
  const view = queueView(redis.url)
  const client = createEnerfloClient({ baseUrl: enerfloUrl, apiKey: s.enerfloKey })
  const ops = { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' }

  async function pass (): Promise<PassResult> {
    const readsBefore = enerflo.reads().length
    const putsBefore = enerflo.requests().length
    const t0 = Date.now()
    const res = await request(`${proc.baseUrl}/ops/reconcile`, { method: 'POST', headers: ops, body: JSON.stringify({ source: 'enerflo', dryRun: false }) })
    const started = await res.body.json() as { id?: string }
    if (res.statusCode !== 202 || started.id === undefined) throw new Error(`POST /ops/reconcile answered ${res.statusCode}: ${JSON.stringify(started)}`)
    const runId = started.id
    const polled = await pollUntil(async () => {
      const r = await request(`${proc.baseUrl}/ops/reconcile/${runId}`, { headers: ops })
      return await r.body.json() as { state: string, report: Record<string, number>, progress: { queued: number } }
    }, (r) => r.state !== 'running', PASS_TIMEOUT_MS, 50)
    const passMs = Date.now() - t0
    if (!polled.ok) throw new Error(`run ${runId} still running after ${PASS_TIMEOUT_MS / 1000} s`)
    if (!await view.settled(DRAIN_TIMEOUT_MS)) throw new Error(`the queue did not drain within ${DRAIN_TIMEOUT_MS / 1000} s after run ${runId}`)
    const drainMs = Date.now() - t0
    const puts = enerflo.requests().slice(putsBefore).map((r) => ({ userId: r.userId, status: r.status, body: r.body }))
    return { runId, state: polled.value.state, report: polled.value.report, queued: polled.value.progress.queued, passMs, drainMs, reads: enerflo.reads().length - readsBefore, puts }
  }

  try {
    // (a) The directory read, with the product's client and directory, one budget slot per read.
    say(`(a) reading the directory of ${fmt(ACTIVE)} active + ${fmt(INACTIVE)} inactive users, ${RUNS} runs`)
    const directory = createDirectory(redis.client, 'bench-a')
    const budget = createBudget(redis.client, { prefix: 'bench-a', max: rateLimit.max, windowMs: rateLimit.windowMs })
    const acquire = async (): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        const wait = await budget.acquire()
        if (wait <= 0) return
        await sleep(wait)
      }
      throw new Error('no budget slot after 100 waits')
    }
    const refreshMs: number[] = []
    const bareMs: number[] = []
    const clientMs: number[] = []
    const listUsers = client.listUsers
    if (listUsers === undefined) throw new Error('the Enerflo client has no listUsers')
    const readCounts: number[] = []
    const served: number[] = []
    let users = 0
    for (let r = 0; r < RUNS; r++) {
      // The baseline: the same GETs one after the other, bodies parsed, nothing else.
      const pages: string[] = []
      for (let p = 1; p <= Math.ceil(ACTIVE / PAGE_SIZE); p++) pages.push(`page=${p}&pageSize=${PAGE_SIZE}`)
      for (let p = 1; p <= Math.ceil(INACTIVE / PAGE_SIZE); p++) pages.push(`page=${p}&pageSize=${PAGE_SIZE}&status=inactive`)
      const b0 = Date.now()
      for (const q of pages) {
        const res = await request(`${enerfloUrl}/api/v3/users?${q}`, { headers: { 'api-key': s.enerfloKey } })
        await res.body.json()
        if (res.statusCode !== 200) throw new Error(`bare GET answered ${res.statusCode}`)
      }
      bareMs.push(Date.now() - b0)
      // The product client alone, same pages, nothing stored: splits the refresh's cost.
      const c0 = Date.now()
      for (const status of ['active', 'inactive'] as const) {
        for (let p = 1, total = 1; p <= total && p <= 1000; p++) total = (await listUsers(p, status)).totalPages
      }
      clientMs.push(Date.now() - c0)
      const before = enerflo.reads().length
      const t0 = Date.now()
      const got = await directory.refresh({ listUsers }, acquire)
      refreshMs.push(Date.now() - t0)
      readCounts.push(got.reads)
      served.push(enerflo.reads().length - before)
      users = got.users
    }
    const inDirectory = (await directory.all()).length
    const maxReads = Math.max(...readCounts, ...served)

    // (b) Link the 5,000, then one pass brings them in step through the real worker.
    say(`(b) linking ${fmt(ACTIVE)} users`)
    const store = createStateStore(redis.client, 'bench')
    for (let n = 0; n < ACTIVE; n += 500) {
      await Promise.all(Array.from({ length: Math.min(500, ACTIVE - n) }, async (_, j) => {
        const linked = await store.link(userKey('okta', oktaId(n + j)), ENERFLO_ID_BASE + n + j)
        if (!linked.ok) throw new Error(`link of ${oktaId(n + j)} refused: held by ${linked.holder}`)
      }))
    }
    say('(b) first pass: every linked user is synced once')
    const prime = await pass()
    const primed = prime.puts.filter((p) => p.status === 200).length
    const outOfStep = enerflo.users().filter((u) => u.active && u.id < INACTIVE_ID_BASE && (u.first_name !== `First${u.id - ENERFLO_ID_BASE}` || u.phone !== '4805550100')).length
    if (prime.state !== 'done' || outOfStep > 0) throw new Error(`the first pass left ${outOfStep} users out of step (state ${prime.state}, ${primed} PUTs answered 200)`)

    say('(b) second pass: no drift')
    const quiet = await pass()

    // (c) 50 hand edits in Enerflo, then the pass.
    say(`(c) ${DRIFTED} hand edits in the simulator, then a pass`)
    const step = Math.floor(ACTIVE / DRIFTED)
    const drifted = Array.from({ length: DRIFTED }, (_, i) => ENERFLO_ID_BASE + 37 + i * step)
    const inStep = new Map(drifted.map((id) => [id, managed(enerflo.user(id))]))
    for (const [i, id] of drifted.entries()) {
      const res = await request(`${enerfloUrl}/api/v3/users`, { method: 'PUT', headers: { 'api-key': s.enerfloKey, 'content-type': 'application/json' }, body: JSON.stringify(handEdit(i, id)) })
      await res.body.dump()
      if (res.statusCode !== 200) throw new Error(`hand edit of ${id} answered ${res.statusCode}`)
    }
    const editedAway = drifted.filter((id) => managed(enerflo.user(id)) !== inStep.get(id)).length
    if (editedAway !== DRIFTED) throw new Error(`only ${editedAway} of ${DRIFTED} hand edits changed a managed field`)
    const repair = await pass()
    const putIds = repair.puts.map((p) => p.userId)
    const driftSet = new Set(drifted)
    const putBack = drifted.filter((id) => managed(enerflo.user(id)) === inStep.get(id)).length
    const onDrifted = putIds.filter((id) => id !== undefined && driftSet.has(id)).length
    const distinct = new Set(putIds).size
    const okAnswers = repair.puts.filter((p) => p.status === 200).length
    const fieldsSent = new Map<string, number>()
    for (const p of repair.puts) {
      const fields = Object.keys(p.body as Record<string, unknown>).filter((f) => f !== 'id').sort().join('+')
      fieldsSent.set(fields, (fieldsSent.get(fields) ?? 0) + 1)
    }

    const counts = (r: Record<string, number>): string => Object.entries(r).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')
    const passNote = (p: PassResult): string =>
      `run ${p.state}: ${counts(p.report)}; ${fmt(p.queued)} jobs queued; pass ${fmt(p.passMs / 1000, 1)} s (POST to done), queue drained ${fmt(p.drainMs / 1000, 1)} s after the POST; ${fmt(p.reads)} Enerflo reads`
    return [
      row(B, `(a) read ${fmt(ACTIVE)} active + ${fmt(INACTIVE)} inactive users: Enerflo reads`, {
        target: `≤ ${READ_FLOOR}`,
        measured: `${readCounts.map((n) => fmt(n)).join(' / ')} per refresh`,
        baseline: `${Math.ceil(ACTIVE / PAGE_SIZE)} active + ${Math.ceil(INACTIVE / PAGE_SIZE)} inactive pages of ${PAGE_SIZE}`,
        ratio: fmt(maxReads / READ_FLOOR, 2),
        verdict: verdict(maxReads <= READ_FLOOR && users === ACTIVE + INACTIVE && inDirectory === ACTIVE + INACTIVE),
        note: `the simulator received ${served.map((n) => fmt(n)).join(' / ')} GETs per refresh; ${fmt(users)} users read, ${fmt(inDirectory)} in the directory afterwards; ${RUNS} refreshes in the bench process (product client, directory and budget)`
      }),
      row(B, '(a) same: wall time of one refresh', {
        target: 'info (vs the bare GETs)',
        measured: `median ${fmtMs(median(refreshMs))} (${refreshMs.map((n) => fmt(n)).join(' / ')} ms)`,
        baseline: `same ${READ_FLOOR} GETs bare: ${fmtMs(median(bareMs))}`,
        ratio: fmt(median(refreshMs) / median(bareMs), 2),
        verdict: 'info',
        note: `the product client alone over the same pages (rows read into the directory's shape, nothing stored): median ${fmtMs(median(clientMs))}; ` +
          'the refresh adds a budget slot per read (one Redis EVAL) and one MULTI of 100 HSETs per page plus the swap; the bare baseline only GETs and JSON-parses'
      }),
      row(B, '(a) same, inside the service: reads of each pass', {
        target: `≤ ${READ_FLOOR}`,
        measured: [prime, quiet, repair].map((p) => fmt(p.reads)).join(' / '),
        baseline: `${READ_FLOOR} pages`,
        ratio: fmt(Math.max(prime.reads, quiet.reads, repair.reads) / READ_FLOOR, 2),
        verdict: verdict(Math.max(prime.reads, quiet.reads, repair.reads) <= READ_FLOOR),
        note: 'the three passes below (first, no drift, 50 drifted), each refreshing the directory in the worker before comparing'
      }),
      row(B, `(b) bring ${fmt(ACTIVE)} linked users in step: first pass`, {
        target: 'info',
        measured: `${fmt(prime.puts.length)} PUTs (${fmt(primed)} answered 200)`,
        baseline: `${fmt(ACTIVE)} never-synced users`,
        ratio: '–',
        verdict: 'info',
        note: `${passNote(prime)}; every user then holds the Okta profile in the simulator`
      }),
      row(B, `(b) pass over ${fmt(ACTIVE)} linked users, no drift: Enerflo writes`, {
        target: '0',
        measured: fmt(quiet.puts.length),
        baseline: '0',
        ratio: '–',
        verdict: verdict(quiet.puts.length === 0 && quiet.state === 'done' && enerflo.creates().length === 0),
        note: passNote(quiet)
      }),
      row(B, `(c) pass over ${fmt(ACTIVE)} linked users, ${DRIFTED} drifted: Enerflo writes`, {
        target: `exactly ${DRIFTED}, each on a drifted user`,
        measured: `${fmt(repair.puts.length)} (${onDrifted} on drifted users, ${distinct} distinct, ${okAnswers} answered 200)`,
        baseline: `${DRIFTED} hand edits`,
        ratio: fmt(repair.puts.length / DRIFTED, 2),
        verdict: verdict(repair.puts.length === DRIFTED && onDrifted === DRIFTED && distinct === DRIFTED && okAnswers === DRIFTED && repair.state === 'done'),
        note: `${passNote(repair)}; hand edits: first_name, last_name, phone, roles (Sales Rep → Setter), in turn; fields sent: ${[...fieldsSent].map(([f, n]) => `${f} ${n}`).join(', ')}`
      }),
      row(B, `(c) same: drifted users put back`, {
        target: `${DRIFTED} of ${DRIFTED}`,
        measured: `${putBack} of ${DRIFTED}`,
        baseline: 'managed fields as before the hand edit',
        ratio: '–',
        verdict: verdict(putBack === DRIFTED)
      })
    ]
  } finally {
    await proc.stop()
    await view.close()
    await client.close()
    await enerflo.close()
    await okta.close()
    await redis.stop()
  }
}

await runMain(B, run)
