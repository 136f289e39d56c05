/**
 * The providers' side of the chaos run: events packed into Okta Event Hook deliveries and Graph
 * change notifications as those providers send them, and a sender that behaves like a provider:
 * a delivery without a 2xx is sent again (after a short pause) until it gets one. Every answer is
 * counted; every acknowledged event is remembered for the final accounting.
 */
import { Agent, request } from 'undici'
import type { ChaosEvent, Source } from './world.js'
import type { Rng } from './rng.js'

export interface Delivery {
  source: Source
  body: string
  events: ChaosEvent[]
  /** A verbatim re-send of an earlier delivery (same event ids). */
  duplicate: boolean
}

export interface GraphIds { tenantId: string, clientState: string, subscriptionId: string }

/** One Okta delivery; `published` times are scattered so they arrive out of order. */
export function oktaDelivery (events: ChaosEvent[], rng: Rng, seq: number): Delivery {
  const now = Date.now()
  const body = {
    eventType: 'com.okta.event_hook',
    eventTypeVersion: '1.0',
    cloudEventsVersion: '0.1',
    source: 'https://chaos.okta.example/api/v1/eventHooks/whchaos',
    eventId: `chaos-delivery-${seq}`,
    eventTime: new Date(now).toISOString(),
    contentType: 'application/json',
    data: {
      events: [
        ...events.map((e) => ({
          uuid: e.id,
          published: new Date(now - rng.int(0, 30_000)).toISOString(),
          eventType: e.type,
          version: '0',
          severity: 'INFO',
          displayMessage: e.type,
          actor: { id: '00uadmin', type: 'User', alternateId: 'admin@chaos.example.com', displayName: 'Admin' },
          outcome: { result: 'SUCCESS', reason: null },
          // The group first: the receiver must find the user by type, not by position.
          target: [
            ...(e.groupId !== undefined ? [{ id: e.groupId, type: 'UserGroup', alternateId: 'unknown', displayName: e.groupId, detailEntry: null }] : []),
            { id: e.userId, type: 'User', alternateId: `${e.userId}@chaos.example.com`, displayName: 'Someone', detailEntry: null }
          ]
        })),
        // Okta sends much that is not a user change; it is acknowledged and ignored.
        ...(rng.chance(0.2) ? [{ uuid: `noise-${seq}`, eventType: 'user.session.start', published: new Date(now).toISOString(), target: null, actor: null, outcome: null, debugContext: null }] : [])
      ]
    }
  }
  return { source: 'okta', body: JSON.stringify(body), events, duplicate: false }
}

/** One Graph change-notification POST for `users`. */
export function graphDelivery (events: ChaosEvent[], ids: GraphIds): Delivery {
  const value = events.map((e) => ({
    id: e.id,
    subscriptionId: ids.subscriptionId,
    subscriptionExpirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
    changeType: 'updated',
    resource: `Users/${e.userId}`,
    resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${e.userId}`, id: e.userId, organizationId: ids.tenantId },
    clientState: ids.clientState,
    tenantId: ids.tenantId
  }))
  return { source: 'graph', body: JSON.stringify({ value }), events, duplicate: false }
}

export interface DriverStats {
  sent: number
  acknowledged: { okta: number, graph: number }
  duplicatesAcknowledged: number
  attempts: number
  /** Non-2xx answers and connection errors, by status or error code. */
  refused: Record<string, number>
  /** Distinct acknowledged event ids per source. */
  events: { okta: Set<string>, graph: Set<string> }
  /** Acknowledged events including repeats. */
  eventsAcknowledged: number
  /** userKey → when its last event was acknowledged. */
  lastAck: Map<string, number>
  /** Every 2xx: when it came and how many events it carried. */
  acks: Array<{ at: number, events: number }>
  mostAttempts: number
}

export function createDriver (opts: { baseUrl: string, oktaSecret: string, deadlineMs: number, rng: Rng }) {
  const dispatcher = new Agent({ connections: 16, keepAliveTimeout: 5000, headersTimeout: 5000, bodyTimeout: 5000 })
  const stats: DriverStats = {
    sent: 0, acknowledged: { okta: 0, graph: 0 }, duplicatesAcknowledged: 0, attempts: 0, refused: {},
    events: { okta: new Set(), graph: new Set() }, eventsAcknowledged: 0, lastAck: new Map(), acks: [], mostAttempts: 0
  }
  const url = { okta: `${opts.baseUrl}/webhooks/okta`, graph: `${opts.baseUrl}/webhooks/graph` }

  async function send (d: Delivery): Promise<void> {
    const started = Date.now()
    stats.sent++
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (d.source === 'okta') headers['authorization'] = opts.oktaSecret
    for (let attempt = 1; ; attempt++) {
      stats.attempts++
      let outcome: string
      try {
        const res = await request(url[d.source], { method: 'POST', headers, body: d.body, dispatcher })
        await res.body.dump()
        outcome = String(res.statusCode)
      } catch (err) {
        outcome = String((err as { code?: unknown }).code ?? (err as Error).name)
      }
      if (/^2\d\d$/.test(outcome)) {
        const at = Date.now()
        stats.acknowledged[d.source]++
        if (d.duplicate) stats.duplicatesAcknowledged++
        stats.eventsAcknowledged += d.events.length
        stats.acks.push({ at, events: d.events.length })
        for (const e of d.events) {
          stats.events[d.source].add(e.id)
          stats.lastAck.set(`${d.source}:${e.userId}`, at)
        }
        stats.mostAttempts = Math.max(stats.mostAttempts, attempt)
        return
      }
      stats.refused[outcome] = (stats.refused[outcome] ?? 0) + 1
      if (Date.now() - started > opts.deadlineMs) {
        throw new Error(`a ${d.source} delivery got no 2xx within ${opts.deadlineMs} ms (last: ${outcome}, ${attempt} attempts)`)
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * Math.min(attempt, 6) + opts.rng.int(0, 100)))
    }
  }

  /** Sends every delivery, `parallel` at a time. */
  async function sendAll (deliveries: Delivery[], parallel: number): Promise<void> {
    let next = 0
    const lane = async (): Promise<void> => {
      for (let i = next++; i < deliveries.length; i = next++) await send(deliveries[i] as Delivery)
    }
    await Promise.all(Array.from({ length: parallel }, lane))
  }

  return { stats, send, sendAll, close: async () => { await dispatcher.close() } }
}
