/**
 * The chaos run's traffic, one round at a time: changes to some people at their provider first,
 * then the deliveries that announce them — shuffled, split at random, with bursts of separate
 * deliveries for a few hot users, verbatim re-sends of earlier deliveries, and the same delivery
 * twice at once now and then.
 */
import { randomUUID } from 'node:crypto'
import type { Mapping } from '../../src/mapping/mapping-file.js'
import { graphDelivery, oktaDelivery, type Delivery, type GraphIds } from './driver.js'
import type { Rng } from './rng.js'
import { desiredOf, type ChaosEvent, type Person } from './world.js'
import { change, type ChangeKind, type Providers } from './changes.js'

const KINDS: Array<[ChangeKind, number]> = [['phone', 30], ['name', 20], ['group', 25], ['status', 10], ['manager', 10], ['email', 5]]

export interface TrafficStats {
  /** Provider changes made, each announced by one event. */
  changes: number
  /** Changes that changed what Enerflo should hold. */
  realChanges: number
  byKind: Record<ChangeKind, number>
  deliveries: number
  duplicates: number
  hotBurstDeliveries: number
}

export interface TrafficOptions {
  oktaPerRound: number
  graphPerRound: number
  /** Every how many rounds the hot users get a burst. */
  burstEvery: number
}

export function createTraffic (people: Person[], mapping: Mapping, rng: Rng, providers: Providers, graphIds: GraphIds, opts: TrafficOptions) {
  const stats: TrafficStats = {
    changes: 0, realChanges: 0, byKind: { phone: 0, name: 0, group: 0, status: 0, manager: 0, email: 0 }, deliveries: 0, duplicates: 0, hotBurstDeliveries: 0
  }
  const history: Delivery[] = []
  const total = KINDS.reduce((n, [, w]) => n + w, 0)
  let seq = 0
  const kind = (): ChangeKind => {
    let r = rng.next() * total
    for (const [k, w] of KINDS) { r -= w; if (r < 0) return k }
    return 'phone'
  }
  const mutate = (p: Person): ChaosEvent => {
    const k = kind()
    const before = JSON.stringify(desiredOf(p, mapping))
    const event = change(p, k, rng, providers, randomUUID)
    stats.changes++
    stats.byKind[k]++
    if (JSON.stringify(desiredOf(p, mapping)) !== before) stats.realChanges++
    return event
  }
  const pack = (events: ChaosEvent[]): Delivery => events[0]?.source === 'okta' ? oktaDelivery(events, rng, ++seq) : graphDelivery(events, graphIds)
  const chunk = (events: ChaosEvent[], max: number): Delivery[] => {
    const out: Delivery[] = []
    for (let i = 0; i < events.length;) {
      const n = rng.int(1, max)
      out.push(pack(events.slice(i, i + n)))
      i += n
    }
    return out
  }
  const some = (source: 'okta' | 'graph', n: number): Person[] =>
    rng.shuffle(people.filter((p) => p.source === source && !p.hot)).slice(0, n)

  /** The deliveries of one round, in the order they will be sent; the changes are already made. */
  function round (r: number): Delivery[] {
    const okta: ChaosEvent[] = []
    const graph: ChaosEvent[] = []
    for (const p of some('okta', opts.oktaPerRound)) for (let i = rng.int(1, 4); i > 0; i--) okta.push(mutate(p))
    for (const p of some('graph', opts.graphPerRound)) for (let i = rng.int(1, 3); i > 0; i--) graph.push(mutate(p))
    const fresh = [...chunk(rng.shuffle(okta), 15), ...chunk(rng.shuffle(graph), 25)]
    if (r % opts.burstEvery === 1) {
      // Hot users: a burst of changes, each announced by a delivery of its own.
      for (const p of people.filter((q) => q.hot)) {
        for (let i = rng.int(4, 8); i > 0; i--) {
          fresh.push(pack([mutate(p)]))
          stats.hotBurstDeliveries++
        }
      }
    }
    const repeats: Delivery[] = []
    for (let i = 0; i < 3 && history.length > 0; i++) repeats.push({ ...rng.pick(history), duplicate: true })
    // Now and then the provider sends the same delivery twice at once (it retried a slow answer).
    for (const d of fresh) if (rng.chance(0.05)) repeats.push({ ...d, duplicate: true })
    history.push(...fresh)
    stats.deliveries += fresh.length
    stats.duplicates += repeats.length
    return rng.shuffle([...fresh, ...repeats])
  }

  return { stats, round }
}
