/**
 * The producer's Redis connection. It fails fast (no offline queue, one retry per request), so a
 * webhook answers 503 while Redis is down instead of holding the request or pretending.
 * Also checks at start that Redis will not evict BullMQ's keys.
 */
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

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

function producerConnection (url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 200, 2000)
  })
}

/**
 * A worker's own connection: maxRetriesPerRequest null (BullMQ's rule for blocking commands), so
 * an outage makes it wait and reconnect instead of failing jobs. Its errors are the same outage
 * the producer connection already reports.
 */
export function workerConnection (url: string): Redis {
  const connection = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2000) })
  connection.on('error', () => {})
  return connection
}

export default fp(async (app, opts: { url: string }) => {
  const redis = producerConnection(opts.url)
  const redisQueue = producerConnection(opts.url)
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
