/**
 * GET /status while Redis cannot be reached. Everything the service counts lives in Redis, so the
 * queue, budget, last outcomes, sources and unresolved users are unknown, not zero: they are null
 * here, with `unknown` saying why and what to do, and the page shows "unknown" for each.
 */
import type { FastifyInstance } from 'fastify'
import { VERSION } from '../../src/version.js'
import { redisAddress } from '../../src/redis-address.js'
import { topologyAddress, topologyVariable } from '../../src/redis-topology.js'

export { redisAddress }

/** The sections that are read from Redis (null or absent in this reply). */
export const REDIS_SECTIONS = ['queue', 'enerflo', 'sources', 'sync', 'unresolved', 'recent', 'failures', 'retrying', 'reconcile', 'holds', 'blockedRemovals', 'followUps'] as const

export function downReply (app: FastifyInstance, uptimeSeconds: number) {
  const { config } = app
  const at = topologyAddress(config.redis) ?? `Redis at ${redisAddress(config.REDIS_URL)}`
  return {
    status: 'down' as const,
    reasons: [`${at} is unreachable: start it or check ${topologyVariable(config.redis)}; deliveries get 503 until it is back (providers deliver again, nothing is lost)`],
    mode: config.sandbox ? 'sandbox' as const : 'live' as const,
    syncMode: config.SYNC_MODE,
    role: config.SERVICE_ROLE,
    version: VERSION,
    uptimeSeconds,
    unknown: {
      reason: `Redis at ${at} is unreachable, and these are stored there: unknown until it is back`,
      sections: [...REDIS_SECTIONS]
    },
    drainEtaSeconds: null,
    // A failed ping's round trip measures the failure, not Redis.
    redis: { reachable: false, latencyMs: null },
    queue: null,
    enerflo: null,
    sources: null,
    unresolved: null,
    recent: null
  }
}
