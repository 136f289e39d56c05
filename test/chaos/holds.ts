/**
 * The chaos run's brake phase (issue 13): after the drive, the workers start again with the brake
 * at its defaults (10 % of the linked users, at least 10, in an hour), and a mass deactivation
 * arrives: up to 45 Okta users suspended or deprovisioned at once, each with a new phone, and 20 others
 * with a new phone only. The brake lets its limit through and holds the rest, while every phone
 * is applied; a worker is killed while the hold waits (it lives in Redis); one held user is
 * reactivated at Okta; then an operator releases the hold. The final accounting that follows
 * must find nothing lost and nothing stale: the released users deactivated, the reverted one not.
 * The workers then start again with the brake as the drive had it, for the phases after this one.
 */
import type { Test } from 'tap'
import { request } from 'undici'
import type { Redis } from 'ioredis'
import type { EnerfloSandbox } from '../../src/simulators/enerflo/sandbox.js'
import type { Mapping } from '../../src/mapping/mapping-file.js'
import { change, type Providers } from './changes.js'
import type { Cluster } from './cluster.js'
import { oktaDelivery, type Delivery, type createDriver } from './driver.js'
import type { QueueWatch } from './queue-watch.js'
import type { Rng } from './rng.js'
import type { createTraffic } from './traffic.js'
import { desiredOf, type ChaosEvent, type Person } from './world.js'

const MASS = 45
const OTHERS = 20
const PER_DELIVERY = 10

export interface HoldPhaseDeps {
  /** The processes' environment: the workers started from here on get the brake's defaults. */
  env: Record<string, string>
  cluster: Cluster
  redis: Redis
  prefix: string
  people: Person[]
  mapping: Mapping
  rng: Rng
  providers: Providers
  driver: ReturnType<typeof createDriver>
  traffic: ReturnType<typeof createTraffic>
  enerflo: EnerfloSandbox
  watch: QueueWatch
}

export interface HoldPhaseResult { limit: number, through: number, held: number, phones: number, released: number }

interface HoldsList { open: string | null, holds?: Array<{ id: string, state: string, users: Array<{ userKey: string }> }> }

async function ops<T> (d: HoldPhaseDeps, method: 'GET' | 'POST', path: string): Promise<{ status: number, body: T }> {
  const res = await request(`${d.cluster.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${d.env['OPS_TOKEN'] ?? ''}`, accept: 'application/json' } })
  return { status: res.statusCode, body: await res.body.json() as T }
}

async function restartWorkers (d: HoldPhaseDeps): Promise<void> {
  for (let i = 0; i < d.cluster.workerCount; i++) {
    await d.cluster.terminateWorker(i, 30_000)
    await d.cluster.startWorker(i)
  }
}

export async function heldMassDeactivation (t: Test, d: HoldPhaseDeps): Promise<HoldPhaseResult> {
  // The brake back at its defaults. The drive's own destructive changes are in the window: the
  // phase starts from an empty one, so its limit is exactly the brake's.
  const outside = d.env['BRAKE_MIN_USERS']
  delete d.env['BRAKE_MIN_USERS']
  await restartWorkers(d)
  await d.redis.del(`${d.prefix}:brake:window`)
  const linked = await d.redis.hlen(`${d.prefix}:linked:okta`)
  const limit = Math.max(Math.floor(linked * 10 / 100), 10)

  // The drive leaves some users inactive: the mass is drawn from the active ones (about half of
  // Okta's 110), the phone-only others from the rest, whatever their status.
  const okta = d.people.filter((p) => p.source === 'okta' && !p.hot)
  const mass = okta.filter((p) => p.status === 'ACTIVE').slice(0, MASS)
  const others = okta.filter((p) => !mass.includes(p)).slice(0, OTHERS)
  t.ok(mass.length >= limit + 20, `enough active Okta users to hold at least 20 (${mass.length} deactivated, ${others.length} others)`)
  const events: ChaosEvent[] = []
  const make = (p: Person, kind: 'phone' | 'status'): void => {
    const before = JSON.stringify(desiredOf(p, d.mapping))
    events.push(change(p, kind, d.rng, d.providers, () => `brake-${p.id}-${kind}-${p.version}`))
    d.traffic.stats.changes++
    d.traffic.stats.byKind[kind]++
    if (JSON.stringify(desiredOf(p, d.mapping)) !== before) d.traffic.stats.realChanges++
  }
  for (const p of mass) { make(p, 'phone'); make(p, 'status') }
  for (const p of others) make(p, 'phone')
  const deliveries: Delivery[] = []
  for (let i = 0; i < events.length; i += PER_DELIVERY) deliveries.push(oktaDelivery(events.slice(i, i + PER_DELIVERY), d.rng, 900_000 + i))
  d.traffic.stats.deliveries += deliveries.length
  const since = Date.now()
  await d.driver.sendAll(deliveries, 4)
  await d.watch.drained(120_000)

  const puts = (): Array<{ userId: number | undefined, body: Record<string, unknown> }> => d.enerflo.requests()
    .filter((r) => r.at >= since && r.status >= 200 && r.status < 300).map((r) => ({ userId: r.userId, body: r.body as Record<string, unknown> }))
  const through = puts().filter((p) => p.body['active'] === false).length
  t.equal(through, limit, `during the mass deactivation ${limit} deactivations went through (10 % of ${linked} linked, at least 10), none past the limit`)
  const { body: list } = await ops<HoldsList>(d, 'GET', '/ops/holds')
  const hold = list.holds?.[0]
  t.equal(list.open, hold?.id, 'the hold is open')
  t.equal(hold?.users.length, mass.length - limit, `it holds the other ${mass.length - limit}`)
  const heldIds = new Set((hold?.users ?? []).map((u) => u.userKey.slice('okta:'.length)))
  const byId = new Map(d.enerflo.users().map((u) => [u.id, u]))
  const phones = [...mass, ...others].filter((p) => byId.get(p.enerfloId)?.phone === desiredOf(p, d.mapping).phone).length
  t.equal(phones, mass.length + others.length, 'every phone was applied meanwhile, held users\' and others\'')
  t.ok(mass.filter((p) => heldIds.has(p.id)).every((p) => byId.get(p.enerfloId)?.active === true), 'the held users are still active in Enerflo')

  // The hold lives in Redis: a worker killed while it waits changes nothing.
  await d.cluster.killWorker(1, 300)
  // Okta reactivates one held user before anyone decides: its release applies nothing.
  const reverted = mass.find((p) => heldIds.has(p.id))
  if (reverted !== undefined) change(reverted, 'status', d.rng, d.providers, () => `brake-revert-${reverted.id}`)
  const res = await ops<unknown>(d, 'POST', `/ops/holds/${hold?.id ?? 'none'}/release`)
  t.equal(res.status, 200, `released: ${JSON.stringify(res.body)}`)
  await d.watch.drained(120_000)
  const after = new Map(d.enerflo.users().map((u) => [u.id, u]))
  const released = mass.filter((p) => heldIds.has(p.id) && after.get(p.enerfloId)?.active === false).length
  t.equal(released, heldIds.size - 1, 'after the release every held user is deactivated but the one Okta reactivated')
  t.equal(reverted === undefined ? undefined : after.get(reverted.enerfloId)?.active, true, 'the reverted user stays active')
  t.equal((await ops<HoldsList>(d, 'GET', '/ops/holds')).body.open, null, 'no hold waits')
  // Later phases find the brake as the drive had it.
  if (outside !== undefined) d.env['BRAKE_MIN_USERS'] = outside
  await restartWorkers(d)
  return { limit, through, held: heldIds.size, phones, released }
}
