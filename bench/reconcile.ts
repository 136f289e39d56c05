/**
 * Bench 10, reconciliation passes (issue 12): 5,000 people at Okta and the same 5,000 in Entra ID
 * (the project's Okta simulator and the tests' local Graph, in the bench process), all linked to
 * their Enerflo users and already in step with them, so that the passes measure reading only:
 *
 *   (a) a full pass per provider over 5,000 unchanged users: provider calls per user, and 0
 *       Enerflo writes;
 *   (b) an incremental pass per provider after 50 users changed at the provider (and nowhere
 *       announced): provider calls per user of the directory, exactly 50 writes;
 *   (c) Okta's org limit at 100 per window for every endpoint (a free developer org), with the
 *       window scaled from a minute to 6 s (the limiter learns the window from X-Rate-Limit-Reset,
 *       not from a setting, so only the wall time scales): an incremental pass after 300 changes,
 *       whose 300 jobs make 600 Okta reads, plus every pass above: 429s, and the busiest window of
 *       each endpoint against the 50 that OKTA_RATE_LIMIT_FRACTION=0.5 allows. The in-run baseline
 *       sends the same 600 reads bare, 4 at a time, to a second simulator with the same limit.
 *
 * "Group pages" are the mapped groups' lookups and member pages (2 mapped groups, Reps and
 * Phoenix, each with all 5,000 members); the goal is ≤ 0.02 calls per user plus those pages.
 *
 *   node --import tsx bench/reconcile.ts
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { createEnerfloSandbox, type SandboxUser } from '../src/simulators/enerflo/sandbox.js'
import { createOktaDirectory, type DirectoryUser, type OktaDirectory } from '../src/simulators/okta/directory.js'
import { createEnerfloClient } from '../src/enerflo/client.js'
import { createDirectory } from '../src/enerflo/directory.js'
import { createStateStore } from '../src/sync/state-store.js'
import { userKey } from '../src/sync/source.js'
import { createLocalGraph } from '../test/helpers/local-graph/graph.js'
import type { LocalUser } from '../test/helpers/local-graph/types.js'
import { startRedis } from './lib/redis.js'
import { secret, secrets } from './lib/setup.js'
import { spawnService } from './lib/service.js'
import { queueView } from './lib/peers.js'
import { pollUntil } from './lib/procs.js'
import { fmt } from './lib/stats.js'
import { row, runMain, say, verdict, type Row } from './lib/table.js'

const B = '10 reconcile'
const USERS = 5_000
const CHANGED = 50
const LOAD = 300
const ORG_LIMIT = 100
const WINDOW_MS = 6_000
const ID_BASE = 100_000
const GOAL_PER_USER = 0.02
const MAPPING = {
  identity: { okta: { enerfloUserIdAttribute: 'enerfloUserId' }, graph: { enerfloUserIdAttribute: 'employeeId' } },
  roles: [{ group: 'Reps', roles: ['Sales Rep'] }],
  offices: [{ group: 'Phoenix', officeId: 101 }]
}
const GRAPH_GROUPS = [{ id: 'b0000000-0000-4000-8000-000000000001', displayName: 'Reps' }, { id: 'b0000000-0000-4000-8000-000000000002', displayName: 'Phoenix' }]
const oktaId = (n: number): string => `00ub${String(n).padStart(5, '0')}`
const graphId = (n: number): string => `6f1a0c2e-0000-4000-8000-${String(n).padStart(12, '0')}`

function people (): { okta: DirectoryUser[], graph: LocalUser[], enerflo: SandboxUser[] } {
  const longAgo = new Date(Date.now() - 3_600_000).toISOString()
  const okta: DirectoryUser[] = []
  const graph: LocalUser[] = []
  const enerflo: SandboxUser[] = []
  for (let n = 0; n < USERS; n++) {
    const email = `user${n}@bench.example`
    okta.push({ id: oktaId(n), status: 'ACTIVE', groups: ['00gbreps', '00gbphx'], lastUpdated: longAgo, profile: { login: email, email, firstName: `First${n}`, lastName: 'Bench', mobilePhone: '480-555-0100', enerfloUserId: String(ID_BASE + n) } })
    graph.push({ id: graphId(n), groups: GRAPH_GROUPS.map((g) => g.id), props: { userPrincipalName: email, mail: email, givenName: `First${n}`, surname: 'Bench', mobilePhone: '480-555-0100', accountEnabled: true, employeeId: String(ID_BASE + n) } })
    enerflo.push({ id: ID_BASE + n, first_name: `First${n}`, last_name: 'Bench', email, phone: '4805550100', active: true, roles: ['Sales Rep'], office_ids: [101], surveys: 0, appointments: 0 })
  }
  return { okta, graph, enerflo }
}

/** The most requests of one family that one of Okta's windows counted, per family. */
function busiest (d: OktaDirectory): Record<string, number> {
  const counts = new Map<string, number>()
  for (const r of d.requests()) counts.set(`${r.family} ${r.rateWindow}`, (counts.get(`${r.family} ${r.rateWindow}`) ?? 0) + 1)
  const out: Record<string, number> = {}
  for (const [k, n] of counts) {
    const family = k.split(' ')[0] as string
    out[family] = Math.max(out[family] ?? 0, n)
  }
  return out
}

interface Pass { state: string, queued: number, scanned: number, report: Record<string, number>, error: string | null, passMs: number, calls: number, groupPages: number, workerCalls: number, writes: number }

export async function run (): Promise<Row[]> {
  const redis = await startRedis()
  const s = secrets()
  const opsToken = secret()
  const seed = people()
  const enerflo = createEnerfloSandbox({ apiKey: s.enerfloKey, users: seed.enerflo, offices: [101], rateLimit: { max: 1_000_000, windowMs: 60_000 } })
  const enerfloUrl = await enerflo.listen(0, '127.0.0.1')
  const okta = createOktaDirectory({ token: s.oktaToken, users: seed.okta, groups: [{ id: '00gbreps', name: 'Reps' }, { id: '00gbphx', name: 'Phoenix' }], rateLimit: ORG_LIMIT, rateWindowMs: WINDOW_MS })
  const oktaUrl = await okta.listen(0, '127.0.0.1')
  const g = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: secret() }
  const graph = createLocalGraph({ ...g, users: seed.graph, groups: GRAPH_GROUPS })
  const graphUrl = await graph.listen(0, '127.0.0.1')
  const mappingPath = join(mkdtempSync(join(tmpdir(), 'efs-bench-reconcile-')), 'mapping.json')
  writeFileSync(mappingPath, JSON.stringify(MAPPING))

  say(`linking ${fmt(USERS)} Okta and ${fmt(USERS)} Entra users, reading Enerflo's list`)
  const store = createStateStore(redis.client, 'bench')
  for (let n = 0; n < USERS; n += 500) {
    await Promise.all(Array.from({ length: Math.min(500, USERS - n) }, async (_, j) => {
      for (const key of [userKey('okta', oktaId(n + j)), userKey('graph', graphId(n + j))]) {
        const linked = await store.link(key, ID_BASE + n + j)
        if (!linked.ok) throw new Error(`link of ${key} refused`)
      }
    }))
  }
  const client = createEnerfloClient({ baseUrl: enerfloUrl, apiKey: s.enerfloKey })
  const listUsers = client.listUsers
  if (listUsers === undefined) throw new Error('the Enerflo client has no listUsers')
  await createDirectory(redis.client, 'bench').refresh({ listUsers }, async () => {})

  const proc = await spawnService({
    env: {
      REDIS_URL: redis.url, QUEUE_PREFIX: 'bench', SERVICE_ROLE: 'all', LOG_LEVEL: 'warn', MAPPING_FILE: mappingPath,
      ENERFLO_BASE_URL: enerfloUrl, ENERFLO_API_KEY: s.enerfloKey, ENERFLO_RATE_LIMIT_MAX: '1000000', ENERFLO_RATE_LIMIT_WINDOW_MS: '60000',
      OKTA_ORG_URL: oktaUrl, OKTA_API_TOKEN: s.oktaToken, OKTA_WEBHOOK_SECRET: s.webhook,
      GRAPH_TENANT_ID: g.tenantId, GRAPH_CLIENT_ID: g.clientId, GRAPH_CLIENT_SECRET: g.clientSecret, GRAPH_CLIENT_STATE: secret(),
      GRAPH_API_URL: graphUrl, GRAPH_LOGIN_URL: graphUrl,
      OPS_TOKEN: opsToken, RECONCILE_INTERVAL_MS: '0', RECONCILE_FULL_INTERVAL_MS: '0'
    }
  })
  const view = queueView(redis.url)
  const ops = { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' }
  const oktaGroupPage = (p: string): boolean => p.startsWith('/api/v1/groups')
  const graphGroupPage = (p: string): boolean => p.startsWith('/v1.0/groups')
  // The pass lists; the jobs read one user at a time (a pass reads single users only for a
  // membership-only change, which this bench does not make).
  const oktaPassCall = (p: string): boolean => p.startsWith('/api/v1/users?') || oktaGroupPage(p)
  const graphPassCall = (p: string): boolean => p.startsWith('/v1.0/users/delta') || graphGroupPage(p) || p.includes('/oauth2/')

  async function pass (source: 'okta' | 'graph', mode: 'full' | 'incremental'): Promise<Pass> {
    const peer = source === 'okta' ? okta.requests : graph.requests
    const isGroupPage = source === 'okta' ? oktaGroupPage : graphGroupPage
    const isPassCall = source === 'okta' ? oktaPassCall : graphPassCall
    const callsBefore = peer().length
    const writesBefore = enerflo.requests().length + enerflo.creates().length
    const t0 = Date.now()
    const res = await request(`${proc.baseUrl}/ops/reconcile`, { method: 'POST', headers: ops, body: JSON.stringify({ source, mode, dryRun: false }) })
    const started = await res.body.json() as { id?: string }
    if (res.statusCode !== 202 || started.id === undefined) throw new Error(`POST /ops/reconcile answered ${res.statusCode}: ${JSON.stringify(started)}`)
    const polled = await pollUntil(async () => {
      const r = await request(`${proc.baseUrl}/ops/reconcile/${started.id ?? ''}`, { headers: ops })
      return await r.body.json() as { state: string, report: Record<string, number>, progress: { queued: number, scanned: number }, error: string | null }
    }, (r) => r.state !== 'running', 240_000, 50)
    const passMs = Date.now() - t0
    if (!polled.ok) throw new Error(`${source} ${mode} pass still running after 240 s`)
    if (!await view.settled(240_000)) throw new Error(`the queue did not drain after the ${source} ${mode} pass`)
    const all = peer().slice(callsBefore)
    const passCalls = all.filter((r) => isPassCall(r.path))
    const { state, report, progress, error } = polled.value
    return {
      state, report, error, queued: progress.queued, scanned: progress.scanned, passMs,
      calls: passCalls.length, groupPages: passCalls.filter((r) => isGroupPage(r.path)).length,
      workerCalls: all.length - passCalls.length,
      writes: enerflo.requests().length + enerflo.creates().length - writesBefore
    }
  }

  // Other people at each provider: a change synced from one would leave nothing for the other to do.
  const change = (n: number, i: number): void => {
    okta.updateProfile(oktaId(n), { firstName: `OktaChanged${i}` })
    graph.updateUser(graphId(n + 1), { givenName: `GraphChanged${i}` })
  }

  try {
    const rows: Row[] = []
    const perUser = (p: Pass): number => (p.calls - p.groupPages) / USERS
    const callsRow = (source: string, what: string, p: Pass, extra: string): Row => row(B, `(${what === 'full' ? 'a' : 'b'}) ${source} ${what} pass, ${fmt(USERS)} users: provider calls per user`, {
      target: `≤ ${GOAL_PER_USER} + group pages`,
      measured: `${fmt(p.calls)} calls (${fmt(p.groupPages)} group pages): ${fmt(perUser(p), 4)} per user besides the group pages, ${fmt(p.calls / USERS, 4)} in all`,
      baseline: `${fmt(USERS)} users`,
      ratio: fmt(perUser(p) / GOAL_PER_USER, 2),
      verdict: verdict(p.state === 'done' && perUser(p) <= GOAL_PER_USER),
      note: `run ${p.state}${p.error === null ? '' : ` (${p.error})`}; scanned ${fmt(p.scanned)}, queued ${fmt(p.queued)}; ${Object.entries(p.report).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}; pass ${fmt(p.passMs / 1000, 1)} s; ${extra}`
    })
    const report: Array<[string, Pass]> = []
    for (const source of ['okta', 'graph'] as const) {
      say(`(a) ${source}: full pass over ${fmt(USERS)} unchanged users`)
      const full = await pass(source, 'full')
      report.push([`${source} full`, full])
      rows.push(callsRow(source, 'full', full, `${fmt(full.workerCalls)} calls by workers after it`))
      rows.push(row(B, `(a) ${source} full pass over ${fmt(USERS)} unchanged users: Enerflo writes`, {
        target: '0', measured: fmt(full.writes), baseline: '0', ratio: '–',
        verdict: verdict(full.state === 'done' && full.writes === 0 && full.queued === 0),
        note: `${fmt(full.queued)} jobs queued`
      }))
    }
    const step = Math.floor(USERS / CHANGED)
    for (let i = 0; i < CHANGED; i++) change(7 + i * step, i)
    for (const source of ['okta', 'graph'] as const) {
      say(`(b) ${source}: incremental pass after ${CHANGED} unannounced changes`)
      const inc = await pass(source, 'incremental')
      report.push([`${source} incremental`, inc])
      rows.push(callsRow(source, 'incremental', inc, `then ${fmt(inc.workerCalls)} calls by the ${fmt(inc.queued)} jobs (the worker reads each user afresh)`))
      rows.push(row(B, `(b) ${source} incremental pass after ${CHANGED} changes: Enerflo writes`, {
        target: `exactly ${CHANGED}`, measured: fmt(inc.writes), baseline: `${CHANGED} changed users`, ratio: fmt(inc.writes / CHANGED, 2),
        verdict: verdict(inc.state === 'done' && inc.writes === CHANGED && inc.queued === CHANGED),
        note: 'each change was made at the provider only: no webhook, no notification'
      }))
    }

    say(`(c) Okta at ${ORG_LIMIT} per ${WINDOW_MS / 1000} s window: an incremental pass after ${LOAD} changes`)
    const loadStep = Math.floor(USERS / LOAD)
    for (let i = 0; i < LOAD; i++) okta.updateProfile(oktaId(3 + i * loadStep), { lastName: `Load${i}` })
    const t0 = Date.now()
    const load = await pass('okta', 'incremental')
    const loadMs = Date.now() - t0
    const peak = busiest(okta)
    const allCalls = okta.requests().length
    // The baseline: the same reads the jobs make, sent bare (no limiter) at the same org limit.
    const bare = createOktaDirectory({ token: s.oktaToken, users: seed.okta, groups: [{ id: '00gbreps', name: 'Reps' }, { id: '00gbphx', name: 'Phoenix' }], rateLimit: ORG_LIMIT, rateWindowMs: WINDOW_MS })
    const bareUrl = await bare.listen(0, '127.0.0.1')
    const paths = Array.from({ length: LOAD }, (_, i) => oktaId(3 + i * loadStep)).flatMap((id) => [`/api/v1/users/${id}`, `/api/v1/users/${id}/groups?limit=200`])
    let next = 0
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < paths.length) {
        const r = await request(`${bareUrl}${paths[next++] ?? ''}`, { headers: { authorization: `SSWS ${s.oktaToken}` } })
        await r.body.dump()
      }
    }))
    await bare.close()
    rows.push(row(B, `(c) Okta org limit ${ORG_LIMIT} per window (a minute scaled to ${WINDOW_MS / 1000} s): 429s`, {
      target: '0',
      measured: `${fmt(okta.throttled())} of ${fmt(allCalls)} calls`,
      baseline: `same ${fmt(paths.length)} reads bare, 4 in flight: ${fmt(bare.throttled())} 429s`,
      ratio: '–',
      verdict: verdict(okta.throttled() === 0 && load.state === 'done' && load.writes === LOAD),
      note: `every pass of this bench plus an incremental pass after ${LOAD} changes (${fmt(load.calls)} pass calls, then ${fmt(load.workerCalls)} by its ${fmt(load.queued)} jobs, ${fmt(load.writes)} Enerflo writes, ${fmt(loadMs / 1000, 1)} s to drained); ` +
        `busiest window per endpoint: ${Object.entries(peak).map(([f, n]) => `${f} ${n}`).join(', ')} (share at OKTA_RATE_LIMIT_FRACTION 0.5: ${ORG_LIMIT / 2})`
    }))
    rows.push(row(B, '(c) same: the busiest window of any endpoint', {
      target: `≤ ${ORG_LIMIT / 2} (0.5 × ${ORG_LIMIT})`,
      measured: fmt(Math.max(...Object.values(peak))),
      baseline: `${ORG_LIMIT} org limit`,
      ratio: fmt(Math.max(...Object.values(peak)) / ORG_LIMIT, 2),
      verdict: verdict(Math.max(...Object.values(peak)) <= ORG_LIMIT / 2)
    }))
    say(report.map(([k, p]) => `${k}: ${p.calls} calls, ${p.groupPages} group pages, ${p.workerCalls} worker calls, ${p.writes} writes, ${p.state}`).join('\n'))
    return rows
  } finally {
    await proc.stop()
    await view.close()
    await client.close()
    await enerflo.close()
    await okta.close()
    await graph.close()
    await redis.stop()
  }
}

await runMain(B, run)
