/**
 * The whole service (src/server.ts as child processes, an API and a worker) on a three-primary
 * Redis Cluster and on a primary + replica + three sentinels: an Okta delivery and a Graph
 * notification each reach Enerflo. On the cluster, every key the service wrote starts with its
 * hash-tagged prefix (one slot), and losing the whole cluster answers 503, never 2xx.
 * Part of `npm run test:cluster`, not of `npm test`.
 */
import t from 'tap'
import type { Test } from 'tap'
import { Redis, type Cluster } from 'ioredis'
import { request } from 'undici'
import { spawnService, type ServiceProcess } from '../helpers/process.js'
import { startRedisCluster, startRedisSentinel } from '../helpers/redis-topologies.js'
import { waitFor } from '../helpers/wait.js'
import { G, graphPeers, oktaPeers, randomPrefix, type Peers } from './peers.js'
import { keySlot } from '../../src/redis-connect.js'
import { SYNC_QUEUE } from '../../queues/sync-queue.js'

type Teardown = { teardown: (fn: () => unknown) => void }

async function apiAndWorker (t: Teardown, env: Record<string, string>): Promise<{ api: ServiceProcess, worker: ServiceProcess }> {
  const [api, worker] = await Promise.all([spawnService(t, { ...env, SERVICE_ROLE: 'api' }), spawnService(t, { ...env, SERVICE_ROLE: 'worker' })])
  await Promise.all([api.waitHealthy(30_000), worker.waitHealthy(30_000)])
  return { api, worker }
}

/** One change end to end: a 2xx, then Enerflo user 502 holds the provider's first name. */
async function oneChange (t: Test, peers: Peers, baseUrl: string, userId: string, ok: number): Promise<void> {
  t.equal(peers.enerflo.user(502)?.first_name, 'Old', 'Enerflo has the stale name before')
  t.equal(await peers.send(baseUrl, userId), ok, `the receiver answers ${ok}`)
  const user = await waitFor('the worker to apply the change', () => peers.enerflo.user(502), (u) => u?.first_name === 'Rey', 30_000)
  t.match(user, { first_name: 'Rey', last_name: 'Pep' }, 'Enerflo has the provider\'s values')
}

/** Every key on every primary of the cluster; each must carry the prefix, so one slot. */
async function allKeys (cluster: Cluster): Promise<string[]> {
  if (cluster.status !== 'ready') await new Promise((resolve) => cluster.once('ready', resolve))
  const keys: string[] = []
  for (const node of cluster.nodes('master')) {
    let cursor = '0'
    do {
      const [next, batch] = await node.scan(cursor, 'COUNT', 1000)
      cursor = next
      keys.push(...batch)
    } while (cursor !== '0')
  }
  return keys
}

t.test('Redis Cluster (three primaries)', async (t) => {
  const cluster = await startRedisCluster(t)

  t.test('Okta delivery end to end; every key in the prefix\'s slot', async (t) => {
    const peers = await oktaPeers(t)
    const prefix = randomPrefix('efs', true)
    const { api } = await apiAndWorker(t, { ...peers.env, REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: prefix })
    await oneChange(t, peers, api.baseUrl, '00urep', 200)
    t.match(api.stdout(), `Redis: Redis Cluster ${cluster.nodes} (prefix ${prefix})`, 'the start summary names the cluster')
    const keys = await allKeys(cluster.client())
    t.ok(keys.length > 5, `the service wrote keys (${keys.length})`)
    t.same(keys.filter((k) => !k.startsWith(`${prefix}:`)), [], 'every key starts with the prefix')
    t.same([...new Set(keys.map(keySlot))], [keySlot(prefix)], 'so all of them live in one slot')
    t.equal(await cluster.client().call('CLUSTER', 'KEYSLOT', prefix), keySlot(prefix), 'the slot as the cluster itself computes it')
    t.notMatch(api.stderr() + api.stdout(), /CROSSSLOT/, 'no CROSSSLOT error in the API\'s output')
  })

  t.test('Graph notification end to end', async (t) => {
    const peers = await graphPeers(t)
    const { api, worker } = await apiAndWorker(t, { ...peers.env, REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: randomPrefix('efs', true) })
    await oneChange(t, peers, api.baseUrl, G.rep, 202)
    t.notMatch(api.stdout() + api.stderr() + worker.stdout() + worker.stderr(), /CROSSSLOT/, 'no CROSSSLOT error')
  })

  t.test('REDIS_MIN_REPLICAS=1 on a cluster whose primaries have no replica: 503, saying so', async (t) => {
    const peers = await oktaPeers(t)
    const api = await spawnService(t, { ...peers.env, REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: randomPrefix('efs', true), REDIS_MIN_REPLICAS: '1', SERVICE_ROLE: 'api', LOG_LEVEL: 'error' })
    await api.waitHealthy(30_000)
    t.equal(await peers.send(api.baseUrl, '00urep'), 503, 'the WAIT, sent to the slot\'s primary, finds no replica')
    await waitFor('the error log line', () => api.stdout(), (out) => /replicas did not confirm the jobs/.test(out))
    t.notMatch(api.stdout(), /no Redis Cluster node owns slot/, 'the slot\'s owner was found')
  })

  t.test('losing the whole cluster: 503, never 2xx', async (t) => {
    const peers = await oktaPeers(t)
    const { api } = await apiAndWorker(t, { ...peers.env, REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: randomPrefix('efs', true) })
    t.equal(await peers.send(api.baseUrl, '00urep'), 200, 'accepted while the cluster is up')
    await cluster.stopAll()
    const answers: number[] = []
    for (let i = 0; i < 5; i++) answers.push(await peers.send(api.baseUrl, '00usetter'))
    t.same(answers, [503, 503, 503, 503, 503], 'every delivery while the cluster is gone gets 503')
    const status = await request(`${api.baseUrl}/status`, { headers: { authorization: `Bearer ${peers.env['OPS_TOKEN'] ?? ''}` } })
    const body = await status.body.text()
    t.match(body, `Redis Cluster ${cluster.nodes} is unreachable: start it or check REDIS_CLUSTER_NODES`, '/status names the cluster and the variable')
  })
})

t.test('Sentinel (a primary, a replica, three sentinels)', async (t) => {
  const sentinel = await startRedisSentinel(t)
  const redisEnv = { REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_MASTER: sentinel.master, REDIS_MIN_REPLICAS: '1' }

  t.test('Okta delivery end to end, acknowledged after the replica has it', async (t) => {
    const peers = await oktaPeers(t)
    const prefix = randomPrefix('efs', false)
    const { api } = await apiAndWorker(t, { ...peers.env, ...redisEnv, QUEUE_PREFIX: prefix })
    await oneChange(t, peers, api.baseUrl, '00urep', 200)
    t.match(api.stdout(), `Redis: Sentinel master "${sentinel.master}" via ${sentinel.sentinels}`, 'the start summary names the Sentinel setup')
    // The replica itself, read directly: its copy of the queue.
    const replica = new Redis({ port: sentinel.replicaPort, host: '127.0.0.1', maxRetriesPerRequest: 0 })
    t.teardown(() => { replica.disconnect() })
    t.ok((await replica.keys(`${prefix}:${SYNC_QUEUE}:*`)).length > 0, 'the replica holds the queue\'s keys')
  })

  t.test('Graph notification end to end', async (t) => {
    const peers = await graphPeers(t)
    const { api } = await apiAndWorker(t, { ...peers.env, ...redisEnv, QUEUE_PREFIX: randomPrefix('efs', false) })
    await oneChange(t, peers, api.baseUrl, G.rep, 202)
  })
})
