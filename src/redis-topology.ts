/**
 * Which Redis the service talks to: one server (REDIS_URL), a Redis Cluster (REDIS_CLUSTER_NODES)
 * or a primary followed through Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_MASTER). Read from the
 * environment by config.ts, which reports these problems with its own, all in one message.
 *
 * In cluster and Sentinel mode REDIS_URL's host and port are not used; its user name, password and
 * scheme (rediss:// for TLS) still apply to every node.
 */
import { Type } from '@sinclair/typebox'

export interface RedisNode { host: string, port: number }

export type RedisTopology =
  | { kind: 'single', url: string, minReplicas: number }
  | { kind: 'cluster', url: string, nodes: RedisNode[], minReplicas: number }
  | { kind: 'sentinel', url: string, sentinels: RedisNode[], master: string, minReplicas: number }

export const RedisTopologyEnvProperties = {
  REDIS_CLUSTER_NODES: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_SENTINELS: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_SENTINEL_MASTER: Type.Optional(Type.String({ minLength: 1, pattern: '^\\S+$' })),
  // A receiver answers 2xx only once this many replicas have the delivery's jobs (WAIT).
  REDIS_MIN_REPLICAS: Type.Integer({ minimum: 0, maximum: 16, default: 0 })
}

export const REDIS_TOPOLOGY_INTEGER_NAMES = ['REDIS_MIN_REPLICAS']

interface TopologyEnv {
  REDIS_URL: string
  QUEUE_PREFIX: string
  REDIS_CLUSTER_NODES?: string | undefined
  REDIS_SENTINELS?: string | undefined
  REDIS_SENTINEL_MASTER?: string | undefined
  REDIS_MIN_REPLICAS: number
}

/** `host:port`, `[v6]:port`; undefined when it does not parse. */
export function parseNode (text: string): RedisNode | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)):(\d{1,5})$/.exec(text)
  if (m === null) return undefined
  const port = Number(m[3])
  if (port < 1 || port > 65535) return undefined
  return { host: m[1] ?? m[2] ?? '', port }
}

function parseList (name: string, value: string, problems: string[]): RedisNode[] {
  const parts = value.split(',').map((s) => s.trim())
  const bad = parts.filter((p) => parseNode(p) === undefined)
  if (bad.length > 0) {
    problems.push(`${name}: ${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not host:port; give a comma-separated list such as ${name}=10.0.0.1:6379,10.0.0.2:6379 (got ${JSON.stringify(value)})`)
    return []
  }
  return parts.map((p) => parseNode(p) as RedisNode)
}

/** The hash tag Redis Cluster hashes a key by: the text between the first { and the next }, if not empty. */
export function hashTag (key: string): string | undefined {
  const open = key.indexOf('{')
  if (open < 0) return undefined
  const close = key.indexOf('}', open + 1)
  if (close < 0 || close === open + 1) return undefined
  return key.slice(open + 1, close)
}

export function readRedisTopology (env: TopologyEnv): { topology: RedisTopology, problems: string[] } {
  const problems: string[] = []
  const url = env.REDIS_URL
  const minReplicas = env.REDIS_MIN_REPLICAS
  const cluster = env.REDIS_CLUSTER_NODES
  const sentinels = env.REDIS_SENTINELS
  if (cluster !== undefined && sentinels !== undefined) {
    problems.push('REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one of them, not both (a Redis Cluster, or one primary followed through Sentinel)')
  }
  if (sentinels !== undefined && env.REDIS_SENTINEL_MASTER === undefined) {
    problems.push('REDIS_SENTINEL_MASTER must be set with REDIS_SENTINELS: the master name the sentinels monitor (sentinel.conf "sentinel monitor <name> ...", e.g. mymaster)')
  }
  if (sentinels === undefined && env.REDIS_SENTINEL_MASTER !== undefined) {
    problems.push('REDIS_SENTINEL_MASTER is only used with REDIS_SENTINELS: set REDIS_SENTINELS to the sentinels\' host:port list, or unset REDIS_SENTINEL_MASTER')
  }
  if (cluster !== undefined) {
    const nodes = parseList('REDIS_CLUSTER_NODES', cluster, problems)
    if (hashTag(env.QUEUE_PREFIX) === undefined) {
      problems.push(`QUEUE_PREFIX: on a Redis Cluster it needs a {hash-tag} so that all of a queue's keys share one slot; set QUEUE_PREFIX={${env.QUEUE_PREFIX.replace(/[{}]/g, '')}} (got ${JSON.stringify(env.QUEUE_PREFIX)})`)
    }
    return { topology: { kind: 'cluster', url, nodes, minReplicas }, problems }
  }
  if (sentinels !== undefined) {
    const list = parseList('REDIS_SENTINELS', sentinels, problems)
    return { topology: { kind: 'sentinel', url, sentinels: list, master: env.REDIS_SENTINEL_MASTER ?? '', minReplicas }, problems }
  }
  return { topology: { kind: 'single', url, minReplicas }, problems }
}

/** The variable that says where Redis is, for "check <it>" in messages. */
export const topologyVariable = (t: RedisTopology): string => t.kind === 'cluster' ? 'REDIS_CLUSTER_NODES' : t.kind === 'sentinel' ? 'REDIS_SENTINELS' : 'REDIS_URL'

/** Where the service's Redis is in cluster or Sentinel mode, for messages (undefined: REDIS_URL says). */
export function topologyAddress (t: RedisTopology): string | undefined {
  if (t.kind === 'cluster') return `Redis Cluster ${t.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`
  if (t.kind === 'sentinel') return `Sentinel master "${t.master}" via ${t.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`
  return undefined
}
