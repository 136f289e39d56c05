/**
 * The chaos run's silent phase (issue 12): after the brake phase, the providers change some
 * people and never say so (no Event Hook, no Graph notification: a lost delivery looks the same
 * from here), Graph users also join a group with nothing else about them changed, and an operator
 * asks for an incremental pass of every source. The pass, through the usual jobs and worker, must
 * find each of them: the final accounting that follows checks that Enerflo holds what each
 * provider says now, so a change the pass missed is a stale user there.
 *
 * Only changes the brake never holds (phone, name, manager, joining a group): the brake phase left
 * its window at the limit, so a deactivation here would wait for a person, which is the brake
 * phase's claim, not this one's.
 */
import type { Test } from 'tap'
import { request } from 'undici'
import type { Mapping } from '../../src/mapping/mapping-file.js'
import { change, type ChangeKind, type Providers } from './changes.js'
import type { Cluster } from './cluster.js'
import type { QueueWatch } from './queue-watch.js'
import type { Rng } from './rng.js'
import { waitFor } from '../helpers/wait.js'
import { ALL_GROUPS, desiredOf, graphUserOf, type Person } from './world.js'

const PER_SOURCE = 15
const GROUP_JOINS = 6
const KINDS: ChangeKind[] = ['phone', 'name', 'manager']

export interface SilentPhaseDeps {
  env: Record<string, string>
  cluster: Cluster
  people: Person[]
  mapping: Mapping
  rng: Rng
  providers: Providers
  watch: QueueWatch
}

export interface SilentPhaseResult {
  /** People changed at their provider with nothing announced, per source. */
  changed: { okta: number, graph: number }
  /** Of them, Graph users whose only change was joining a group. */
  groupOnly: number
  /** People whose desired Enerflo state the silent changes changed. */
  real: number
  /** Jobs the passes queued, per source, and how long the phase took. */
  queued: Record<string, number>
  ms: number
}

interface Run { id: string, source: string, state: string, error: string | null, progress: { scanned: number, queued: number } }

async function ops<T> (d: SilentPhaseDeps, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number, body: T }> {
  const res = await request(`${d.cluster.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${d.env['OPS_TOKEN'] ?? ''}`, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) })
  })
  return { status: res.statusCode, body: await res.body.json() as T }
}

/** Joins one group the person is not in yet, at the local Graph only; nothing else changes. */
function joinGroup (p: Person, rng: Rng, providers: Providers): boolean {
  const name = rng.shuffle(ALL_GROUPS.filter((g) => !p.groups.includes(g)))[0]
  if (name === undefined) return false
  p.version++
  p.groups = [...p.groups, name]
  providers.graph.setUser(graphUserOf(p))
  return true
}

export async function unannouncedChanges (t: Test, d: SilentPhaseDeps): Promise<SilentPhaseResult> {
  const t0 = Date.now()
  const pick = (source: 'okta' | 'graph'): Person[] => d.rng.shuffle(d.people.filter((p) => p.source === source && !p.hot)).slice(0, PER_SOURCE)
  const okta = pick('okta')
  const graph = pick('graph')
  let real = 0
  let groupOnly = 0
  const silently = (p: Person, make: () => void): void => {
    const before = JSON.stringify(desiredOf(p, d.mapping))
    make()
    if (JSON.stringify(desiredOf(p, d.mapping)) !== before) real++
  }
  for (const [i, p] of [...okta, ...graph].entries()) {
    if (p.source === 'graph' && i >= okta.length + PER_SOURCE - GROUP_JOINS) {
      silently(p, () => { if (joinGroup(p, d.rng, d.providers)) groupOnly++ })
      continue
    }
    // The event change() returns is dropped: nobody is told.
    silently(p, () => { for (let n = d.rng.int(1, 2); n > 0; n--) change(p, d.rng.pick(KINDS), d.rng, d.providers, () => 'never-sent') })
  }
  t.ok(real >= PER_SOURCE, `the silent changes changed what Enerflo should hold for ${real} people (${okta.length} Okta, ${graph.length} Graph, ${groupOnly} of them by a group join only)`)

  // An incremental pass of each provider, as the schedule would start one. A scheduled run that
  // happens to be going (409) is waited out, then asked again: its watermark may predate these.
  const start = async (source: 'okta' | 'graph'): Promise<string> => {
    const r = await waitFor(`a ${source} pass to start`, async () => {
      const res = await ops<{ id?: string, message?: string }>(d, 'POST', '/ops/reconcile', { source, mode: 'incremental' })
      if (res.status === 409) await new Promise((resolve) => setTimeout(resolve, 1000))
      return res
    }, (res) => res.status !== 409, 120_000)
    t.equal(r.status, 202, `the ${source} pass is accepted${r.status === 202 ? '' : `: ${JSON.stringify(r.body)}`}`)
    return r.body.id ?? ''
  }
  const ids = [await start('okta'), await start('graph')]
  const runs = await Promise.all(ids.map(async (id) => await waitFor(`reconcile run ${id} to finish`, async () => (await ops<Run>(d, 'GET', `/ops/reconcile/${id}`)).body,
    (r) => r.state !== 'running', 180_000)))
  for (const r of runs) t.equal(r.state, 'done', `the ${r.source} pass finished${r.error === null ? '' : `: ${r.error}`} (scanned ${r.progress.scanned}, queued ${r.progress.queued})`)
  const queued = Object.fromEntries(runs.map((r) => [r.source, r.progress.queued]))
  t.ok((queued['okta'] ?? 0) >= 1 && (queued['graph'] ?? 0) >= 1, `each provider's pass queued jobs for what it found (${JSON.stringify(queued)})`)
  await d.watch.drained(180_000)
  return { changed: { okta: okta.length, graph: graph.length }, groupOnly, real, queued, ms: Date.now() - t0 }
}
