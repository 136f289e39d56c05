/**
 * Bad Redis topology input stops the start with one clear message: a REDIS_CLUSTER_NODES that
 * does not parse (with a QUEUE_PREFIX lacking its hash tag, both named at once), and a Sentinel
 * master name the sentinels do not know. Part of `npm run test:cluster`.
 */
import t from 'tap'
import { spawnService } from '../helpers/process.js'
import { startRedisSentinel } from '../helpers/redis-topologies.js'
import { oktaPeers } from './peers.js'

const NO_STACK = /^\s+at\s/m

t.test('a cluster node list that does not parse, and a prefix without a hash tag: one message, exit 1', async (t) => {
  const peers = await oktaPeers(t)
  const svc = await spawnService(t, { ...peers.env, REDIS_CLUSTER_NODES: '127.0.0.1:7000,redis-b,127.0.0.1:99999', QUEUE_PREFIX: 'acme-sync' })
  const exit = await svc.waitExit(15_000)
  t.equal(exit.code, 1, 'exits 1')
  const err = svc.stderr()
  t.equal(err.match(/Invalid configuration/g)?.length, 1, 'one message')
  t.match(err, /^\s+- REDIS_CLUSTER_NODES: "redis-b", "127\.0\.0\.1:99999" are not host:port; give a comma-separated list such as REDIS_CLUSTER_NODES=10\.0\.0\.1:6379,10\.0\.0\.2:6379/m, 'names each entry that does not parse, and the shape wanted')
  t.match(err, /^\s+- QUEUE_PREFIX: on a Redis Cluster it needs a \{hash-tag\}.*set QUEUE_PREFIX=\{acme-sync\} \(got "acme-sync"\)$/m, 'refuses the prefix and gives the fix')
  t.notMatch(err, NO_STACK, 'no stack trace')
})

t.test('REDIS_CLUSTER_NODES and REDIS_SENTINELS together are refused', async (t) => {
  const peers = await oktaPeers(t)
  const svc = await spawnService(t, { ...peers.env, REDIS_CLUSTER_NODES: '127.0.0.1:7000', QUEUE_PREFIX: '{efs}', REDIS_SENTINELS: '127.0.0.1:26379' })
  t.equal((await svc.waitExit(15_000)).code, 1, 'exits 1')
  t.match(svc.stderr(), /- REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one of them, not both/)
  t.match(svc.stderr(), /- REDIS_SENTINEL_MASTER must be set with REDIS_SENTINELS/, 'and every other problem in the same message')
})

t.test('a Sentinel master name the sentinels do not know: one message naming the ones they know, exit 1', async (t) => {
  const sentinel = await startRedisSentinel(t, { master: 'efs-primary' })
  const peers = await oktaPeers(t)
  const svc = await spawnService(t, { ...peers.env, REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_MASTER: 'mymaster' })
  const exit = await svc.waitExit(20_000)
  t.equal(exit.code, 1, 'exits 1')
  const err = svc.stderr()
  t.equal(err.match(/Invalid configuration/g)?.length, 1, 'one message')
  t.match(err, `- REDIS_SENTINEL_MASTER: the sentinels at ${sentinel.sentinels} know no master named "mymaster" (they monitor "efs-primary"); set REDIS_SENTINEL_MASTER to the name in their "sentinel monitor <name> ..." line`)
  t.notMatch(err, NO_STACK, 'no stack trace')
  t.notMatch(svc.stdout(), /running \(live deployment\)/, 'it never started')
})
