/**
 * REDIS_CLUSTER_NODES / REDIS_SENTINELS / REDIS_SENTINEL_MASTER / REDIS_MIN_REPLICAS as loadConfig
 * reads them, and the slot arithmetic cluster mode relies on.
 */
import t from 'tap'
import { loadConfig } from '../src/config.js'
import { hashTag, parseNode } from '../src/redis-topology.js'
import { connectRedis, isCluster, keySlot, sentinelMasterProblem } from '../src/redis-connect.js'

const problemsOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env)
    return ''
  } catch (err) {
    return (err as Error).message
  }
}

t.test('REDIS_URL alone: one Redis, no replicas waited for', async (t) => {
  t.same(loadConfig({}).redis, { kind: 'single', url: 'redis://127.0.0.1:6379', minReplicas: 0 })
  t.same(loadConfig({ REDIS_URL: 'redis://r:6380', REDIS_MIN_REPLICAS: '1' }).redis, { kind: 'single', url: 'redis://r:6380', minReplicas: 1 })
})

t.test('cluster mode: the node list, and a hash-tagged prefix', async (t) => {
  const c = loadConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:6379, redis-b.internal:7000,[::1]:7001 ', QUEUE_PREFIX: '{efs}', REDIS_URL: 'rediss://:pw@ignored:1' })
  t.same(c.redis, {
    kind: 'cluster', url: 'rediss://:pw@ignored:1', minReplicas: 0,
    nodes: [{ host: '10.0.0.1', port: 6379 }, { host: 'redis-b.internal', port: 7000 }, { host: '::1', port: 7001 }]
  })
  const message = problemsOf({ REDIS_CLUSTER_NODES: '10.0.0.1:6379', QUEUE_PREFIX: 'acme' })
  t.match(message, 'QUEUE_PREFIX: on a Redis Cluster it needs a {hash-tag} so that all of a queue\'s keys share one slot; set QUEUE_PREFIX={acme} (got "acme")')
  t.match(problemsOf({ REDIS_CLUSTER_NODES: '10.0.0.1:6379' }), 'set QUEUE_PREFIX={enerflo-sync}', 'the default prefix is refused too, with its fix')
  t.match(problemsOf({ REDIS_CLUSTER_NODES: '10.0.0.1:6379', QUEUE_PREFIX: 'a{}b' }), 'QUEUE_PREFIX: on a Redis Cluster', 'an empty tag is no tag')
})

t.test('every problem at once, one line each', async (t) => {
  const message = problemsOf({ REDIS_CLUSTER_NODES: 'a:1,b,c:0', REDIS_SENTINELS: 's1:26379', QUEUE_PREFIX: 'x', REDIS_MIN_REPLICAS: '-1' })
  const lines = message.split('\n').filter((l) => l.startsWith('  - '))
  t.ok(lines.some((l) => l.startsWith('  - REDIS_MIN_REPLICAS:')), 'REDIS_MIN_REPLICAS')
  t.ok(lines.some((l) => l.startsWith('  - REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one of them, not both')), 'the two modes')
  t.ok(lines.some((l) => l.startsWith('  - REDIS_SENTINEL_MASTER must be set with REDIS_SENTINELS')), 'the missing master name')
  t.ok(lines.some((l) => l.startsWith('  - REDIS_CLUSTER_NODES: "b", "c:0" are not host:port')), 'the entries that do not parse')
  t.ok(lines.some((l) => l.startsWith('  - QUEUE_PREFIX: on a Redis Cluster')), 'the prefix')
  t.match(problemsOf({ REDIS_SENTINEL_MASTER: 'mymaster' }), 'REDIS_SENTINEL_MASTER is only used with REDIS_SENTINELS')
})

t.test('Sentinel mode', async (t) => {
  t.same(loadConfig({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_MASTER: 'mymaster', REDIS_MIN_REPLICAS: '1' }).redis, {
    kind: 'sentinel', url: 'redis://127.0.0.1:6379', minReplicas: 1, master: 'mymaster',
    sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }]
  })
})

t.test('parseNode and hashTag', async (t) => {
  t.same(parseNode('h:1'), { host: 'h', port: 1 })
  for (const bad of ['h', ':1', 'h:', 'h:65536', 'h:0', 'h:1:2', 'http://h:1', '-h:1', '::1:6379']) t.equal(parseNode(bad), undefined, bad)
  t.equal(hashTag('{efs}'), 'efs')
  t.equal(hashTag('a{b}c{d}'), 'b')
  t.equal(hashTag('{}x'), undefined)
  t.equal(hashTag('plain'), undefined)
})

t.test('keySlot matches Redis Cluster\'s own answers', async (t) => {
  // Values as CLUSTER KEYSLOT gives them (the cluster suite checks its prefix against a live node too).
  t.equal(keySlot('foo'), 12182)
  t.equal(keySlot('somekey'), 11058)
  t.equal(keySlot('foo{hash_tag}'), 2515)
  t.equal(keySlot('{efs}:user-sync:wait'), keySlot('efs'), 'a tagged key hashes by its tag')
  t.equal(keySlot('{}x'), keySlot('{}x'), 'an empty tag hashes the whole key')
})

t.test('connectRedis makes the client of each topology; the sentinel check starts anyway when no sentinel answers', async (t) => {
  const single = connectRedis(loadConfig({}).redis, 'producer')
  const cluster = connectRedis(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:1', QUEUE_PREFIX: '{efs}' }).redis, 'producer')
  const sentinelTopology = loadConfig({ REDIS_SENTINELS: '127.0.0.1:1', REDIS_SENTINEL_MASTER: 'mymaster', REDIS_URL: 'rediss://u:p%40ss@x:1' }).redis
  const sentinel = connectRedis(sentinelTopology, 'worker')
  sentinel.on('error', () => {})
  t.teardown(() => { single.disconnect(); cluster.disconnect(); sentinel.disconnect() })
  t.equal(isCluster(single), false)
  t.equal(isCluster(cluster), true, 'REDIS_CLUSTER_NODES: an ioredis Cluster')
  t.match(sentinel.options, { name: 'mymaster', sentinels: [{ host: '127.0.0.1', port: 1 }], username: 'u', password: 'p@ss', role: 'master', maxRetriesPerRequest: null }, 'Sentinel: REDIS_URL\'s credentials apply')
  t.equal(await sentinelMasterProblem(loadConfig({}).redis), undefined, 'one Redis: nothing to check')
  t.equal(await sentinelMasterProblem(sentinelTopology), undefined, 'no sentinel answers: start, and answer 503 until they do')
})
