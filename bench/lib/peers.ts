/**
 * The peers of a service under test, in the bench process: the project's Enerflo sandbox (same
 * code as `npm start` runs, rate limit scaled per bench) and the bench's Okta peer; plus a
 * producer-side view of the sync queue to know when the service has settled.
 */
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { request } from 'undici'
import { createEnerfloSandbox, type EnerfloSandbox } from '../../src/simulators/enerflo/sandbox.js'
import { SYNC_QUEUE } from '../../queues/sync-queue.js'
import { DELIVERY_QUEUE } from '../../queues/delivery-queue.js'
import { startOktaPeer, staleEnerfloUsers, type OktaPeer } from './okta-peer.js'
import { pollUntil, sleep } from './procs.js'
import type { Secrets } from './setup.js'

export interface Peers {
  enerflo: EnerfloSandbox
  enerfloUrl: string
  okta: OktaPeer
  close: () => Promise<void>
}

export async function startPeers (o: { s: Secrets, users: number, withEmail: boolean, rateLimit: { max: number, windowMs: number }, oktaLatencyMs?: number }): Promise<Peers> {
  const enerflo = createEnerfloSandbox({ apiKey: o.s.enerfloKey, users: staleEnerfloUsers(o.users, o.withEmail), offices: [101], rateLimit: o.rateLimit })
  const enerfloUrl = await enerflo.listen(0, '127.0.0.1')
  const okta = await startOktaPeer({ token: o.s.oktaToken, users: o.users, withEmail: o.withEmail, latencyMs: o.oktaLatencyMs ?? 0 })
  return { enerflo, enerfloUrl, okta, close: async () => { await enerflo.close(); await okta.close() } }
}

export interface QueueView {
  queue: Queue
  /** Jobs not yet finished (waiting, active, delayed, prioritized). */
  pending: () => Promise<number>
  /** Waits until nothing is pending on two polls in a row; false after timeoutMs. */
  settled: (timeoutMs: number) => Promise<boolean>
  close: () => Promise<void>
}

export function queueView (redisUrl: string, prefix = 'bench'): QueueView {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null })
  const queue = new Queue(SYNC_QUEUE, { connection, prefix })
  // What the receivers stored and the delivery worker has yet to fan out is work still to do.
  const deliveries = new Queue(DELIVERY_QUEUE, { connection, prefix })
  const pending = async (): Promise<number> => {
    const [c, d] = await Promise.all([
      queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'),
      deliveries.getJobCounts('waiting', 'active', 'delayed')
    ])
    return [...Object.values(c), ...Object.values(d)].reduce((a, b) => a + b, 0)
  }
  return {
    queue,
    pending,
    async settled (timeoutMs) {
      const first = await pollUntil(pending, (n) => n === 0, timeoutMs, 100)
      if (!first.ok) return false
      await sleep(300)
      return (await pollUntil(pending, (n) => n === 0, Math.max(1000, timeoutMs / 10), 100)).ok
    },
    async close () { await queue.close(); await deliveries.close(); connection.disconnect() }
  }
}

/** POSTs deliveries to the service, `inFlight` at a time; throws on any non-200. */
export async function sendDeliveries (url: string, secret: string, bodies: string[], inFlight = 10): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++] as string
      const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: secret }, body })
      await res.body.dump()
      if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}`)
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, bodies.length) }, worker))
}
