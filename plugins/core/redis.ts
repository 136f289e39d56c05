/**
 * The producer's Redis connections (made by src/redis-connect.ts: one Redis, a Cluster or
 * Sentinel). They fail fast (no offline queue, one retry per request), so a webhook answers 503 while Redis is down instead of holding the request or pretending.
 * Also checks at start that Redis will not evict BullMQ's keys.
 */
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import { SyncError } from '../../src/errors.js'
import { connectRedis, sentinelMasterProblem } from '../../src/redis-connect.js'
import type { RedisTopology } from '../../src/redis-topology.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** State, stats and budget. */
    redis: Redis
    /** The queue's producer connection: BullMQ's scripts live on it, which makes every
     * multi()/pipeline() on it copy them, so the state store uses the other one. */
    redisQueue: Redis
  }
}

export interface RedisInfo { maxmemoryPolicy: string | undefined, aof: boolean | undefined, version: string | undefined }

/** Reads the settings that decide whether Redis can lose or evict acknowledged jobs. */
export async function readRedisInfo (redis: Redis): Promise<RedisInfo> {
  const [memory, persistence, server] = await Promise.all([redis.info('memory'), redis.info('persistence'), redis.info('server')])
  const field = (text: string, name: string): string | undefined => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim()
  const aof = field(persistence, 'aof_enabled')
  return { maxmemoryPolicy: field(memory, 'maxmemory_policy'), aof: aof === undefined ? undefined : aof === '1', version: field(server, 'redis_version') }
}

/**
 * A worker's own connection: maxRetriesPerRequest null (BullMQ's rule for blocking commands), so
 * an outage makes it wait and reconnect instead of failing jobs. Its errors are the same outage
 * the producer connection already reports.
 */
export function workerConnection (topology: RedisTopology): Redis {
  const connection = connectRedis(topology, 'worker')
  connection.on('error', () => {})
  return connection
}

export default fp(async (app, opts: { topology: RedisTopology }) => {
  // A master name the sentinels do not know is a configuration mistake, not an outage: stop.
  const problem = await sentinelMasterProblem(opts.topology)
  if (problem !== undefined) throw new SyncError('CONFIG_INVALID', `Invalid configuration:\n  - ${problem}`)
  const redis = connectRedis(opts.topology, 'producer')
  const redisQueue = connectRedis(opts.topology, 'producer')
  let lastError = ''
  redis.on('error', (err: Error) => {
    // One line per distinct error, not one per reconnect attempt.
    if (err.message !== lastError) app.log.warn({ err: { name: err.name, message: err.message } }, 'redis connection error')
    lastError = err.message
  })
  redis.on('ready', () => { lastError = '' })
  redisQueue.on('error', () => { /* the same outage: reported by the connection above */ })
  try {
    await Promise.all([redis.connect(), redisQueue.connect()])
    const info = await readRedisInfo(redis)
    if (info.maxmemoryPolicy !== undefined && info.maxmemoryPolicy !== 'noeviction') {
      app.log.warn({ maxmemoryPolicy: info.maxmemoryPolicy }, 'Redis maxmemory-policy is not noeviction: queued jobs can be evicted and changes lost; set maxmemory-policy noeviction')
    }
    if (info.aof === false) {
      app.log.warn('Redis has AOF off: a Redis restart loses queued changes; set appendonly yes (appendfsync everysec)')
    }
  } catch (err) {
    // Start anyway: the receivers answer 503 and /readyz says not ready until Redis is back.
    app.log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'Redis is not reachable at start')
  }
  app.decorate('redis', redis)
  app.decorate('redisQueue', redisQueue)
  app.addHook('onClose', async () => {
    redis.disconnect()
    redisQueue.disconnect()
  })
}, { name: 'redis' })
