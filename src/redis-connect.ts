/**
 * Every ioredis client of the service comes from here, for each topology (src/redis-topology.ts):
 * `new Redis(url)` for one server, an ioredis `Cluster` for Redis Cluster, and
 * `new Redis({ sentinels, name })` for a primary followed through Sentinel.
 *
 * A Cluster is handed out typed as `Redis`: it has the same command methods (get, eval, multi,
 * pipeline, defineCommand, ...), routed by the first key, and BullMQ takes either. That holds
 * because every key the project writes starts with QUEUE_PREFIX, which in cluster mode must carry
 * a {hash-tag} (config.ts refuses one without): all of them hash to one slot, so every Lua script,
 * MULTI and pipeline touches one slot. Commands without a key go to any node: the few that must
 * reach a particular node (WAIT, SCAN) are here.
 *
 * What each purpose means:
 * - producer: fails fast (no offline queue, one retry), so a receiver answers 503 while Redis is
 *   away instead of holding the request;
 * - worker: maxRetriesPerRequest null (BullMQ's rule for blocking commands), so an outage makes it
 *   wait and reconnect instead of failing jobs;
 * - once: one short-lived check, no reconnecting.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis'
import { SyncError } from './errors.js'
import type { RedisNode, RedisTopology } from './redis-topology.js'

export type Purpose = 'producer' | 'worker' | 'once'

const retry = (times: number): number => Math.min(times * 200, 2000)

function purposeOptions (purpose: Purpose): RedisOptions {
  if (purpose === 'worker') return { maxRetriesPerRequest: null, retryStrategy: retry }
  if (purpose === 'producer') return { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true, retryStrategy: retry }
  return { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null }
}

/** REDIS_URL's credentials and TLS, for the nodes of a cluster or of a Sentinel setup. */
function credentials (url: string): RedisOptions {
  const u = new URL(url)
  const out: RedisOptions = {}
  if (u.username !== '') out.username = decodeURIComponent(u.username)
  if (u.password !== '') out.password = decodeURIComponent(u.password)
  if (u.protocol === 'rediss:') out.tls = {}
  return out
}

/** A failed-over primary that came back as a replica answers writes with READONLY: reconnect, and resend. */
const readonlyReconnect = (err: Error): 1 | 2 | false => err.message.startsWith('READONLY') ? 2 : false

/**
 * A new client for the service's Redis. Cluster mode returns an ioredis Cluster (typed as Redis,
 * see above); callers that need to know ask isCluster().
 */
export function connectRedis (topology: RedisTopology, purpose: Purpose): Redis {
  const opts = purposeOptions(purpose)
  if (topology.kind === 'single') return new Redis(topology.url, opts)
  if (topology.kind === 'sentinel') {
    return new Redis({
      ...credentials(topology.url),
      ...opts,
      sentinels: topology.sentinels,
      name: topology.master,
      role: 'master',
      // Not failoverDetector: its disconnect on +switch-master, racing a reconnect already under
      // way after the primary died, left connections closed for good in the failover test. A dead
      // primary drops the connections anyway, and a primary demoted alive answers READONLY.
      reconnectOnError: readonlyReconnect,
      sentinelRetryStrategy: purpose === 'once' ? () => null : retry
    })
  }
  const { lazyConnect, enableOfflineQueue, retryStrategy: _nodeRetry, ...node } = opts
  const clusterOptions: ClusterOptions = {
    redisOptions: { ...credentials(topology.url), ...node, reconnectOnError: readonlyReconnect },
    clusterRetryStrategy: purpose === 'once' ? () => null : retry,
    slotsRefreshTimeout: 2000,
    ...(lazyConnect !== undefined && { lazyConnect }),
    ...(enableOfflineQueue !== undefined && { enableOfflineQueue })
  }
  return new Cluster(topology.nodes, clusterOptions) as unknown as Redis
}

export function isCluster (client: Redis): boolean {
  return (client as unknown as { isCluster?: boolean }).isCluster === true
}

// CRC16/XMODEM, the hash Redis Cluster takes modulo 16384 for a key's slot.
const CRC_TABLE = ((): Uint16Array => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i << 8
    for (let b = 0; b < 8; b++) c = (c & 0x8000) !== 0 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff
    table[i] = c
  }
  return table
})()

/** The cluster slot of a key (by its {hash-tag} when it has one), as CLUSTER KEYSLOT answers. */
export function keySlot (key: string): number {
  let hashed = key
  const open = key.indexOf('{')
  if (open >= 0) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) hashed = key.slice(open + 1, close)
  }
  let crc = 0
  for (const byte of Buffer.from(hashed, 'utf8')) crc = ((crc << 8) & 0xffff) ^ (CRC_TABLE[((crc >> 8) ^ byte) & 0xff] as number)
  return crc % 16384
}

/**
 * The connection that carries commands for `key`: the client itself, or, on a cluster, its
 * connection to the primary that owns the key's slot now (the same connection its writes went on).
 */
function connectionFor (client: Redis, key: string): Redis {
  if (!isCluster(client)) return client
  const cluster = client as unknown as Cluster
  const owner = cluster.slots[keySlot(key)]?.[0]
  const node = owner === undefined ? undefined : cluster.nodes('master').find((n) => `${n.options.host ?? ''}:${n.options.port ?? ''}` === owner)
  if (node === undefined) throw new SyncError('QUEUE_UNAVAILABLE', `no Redis Cluster node owns slot ${keySlot(key)} (of ${key}) now`, 503)
  return node
}

/**
 * WAIT numreplicas timeout, on the connection that wrote `key`'s slot: how many replicas have
 * every write that connection made so far.
 */
export async function waitReplicas (client: Redis, key: string, replicas: number, timeoutMs: number): Promise<number> {
  return Number(await connectionFor(client, key).call('WAIT', String(replicas), String(timeoutMs)))
}

/** Every key matching a SCAN pattern, on every primary of a cluster. */
export async function scanKeys (client: Redis, match: string, each: (keys: string[]) => Promise<void>): Promise<void> {
  const nodes = isCluster(client) ? (client as unknown as Cluster).nodes('master') : [client]
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await each(keys)
    } while (cursor !== '0')
  }
}

const show = (nodes: RedisNode[]): string => nodes.map((n) => `${n.host}:${n.port}`).join(',')

/**
 * Sentinel mode, at start: do the sentinels know REDIS_SENTINEL_MASTER? A problem to stop the
 * start with when every sentinel that answers knows no such master; undefined when one knows it,
 * or when none answers (the service starts and answers 503 until they are reachable).
 */
export async function sentinelMasterProblem (topology: RedisTopology): Promise<string | undefined> {
  if (topology.kind !== 'sentinel') return undefined
  const known = new Set<string>()
  let answered = 0
  for (const s of topology.sentinels) {
    const c = new Redis({ host: s.host, port: s.port, lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null })
    c.on('error', () => { /* an unreachable sentinel is skipped */ })
    try {
      await c.connect()
      const addr = await c.call('SENTINEL', 'get-master-addr-by-name', topology.master)
      answered++
      if (Array.isArray(addr) && addr.length === 2) return undefined
      const masters = await c.call('SENTINEL', 'masters') as unknown[][]
      for (const m of masters) {
        const i = m.indexOf('name')
        if (i >= 0 && typeof m[i + 1] === 'string') known.add(m[i + 1] as string)
      }
    } catch {
      // unreachable, or not a sentinel: the next one may answer
    } finally {
      c.disconnect()
    }
  }
  if (answered === 0) return undefined
  const names = known.size > 0 ? `they monitor ${[...known].map((n) => JSON.stringify(n)).join(', ')}` : 'they monitor no master at all'
  return `REDIS_SENTINEL_MASTER: the sentinels at ${show(topology.sentinels)} know no master named ${JSON.stringify(topology.master)} (${names}); set REDIS_SENTINEL_MASTER to the name in their "sentinel monitor <name> ..." line`
}
