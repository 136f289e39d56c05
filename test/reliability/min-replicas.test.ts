/**
 * REDIS_MIN_REPLICAS: a receiver's 2xx waits for that many replicas to have the delivery's jobs
 * (WAIT on the connection that wrote them), and is a 503 when they do not confirm in time. The
 * default 0 sends no WAIT at all. Real redis-servers: the harness's, and a replica of it.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { freePort } from '../helpers/redis.js'
import { waitFor } from '../helpers/wait.js'

const post = async (h: Harness, app = h.app): Promise<{ statusCode: number, body: string }> => {
  const res = await app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep' }]) })
  return { statusCode: res.statusCode, body: res.body }
}

const waits = async (h: Harness): Promise<number> => {
  const stats = await h.redis.client().info('commandstats')
  return Number(/^cmdstat_wait:calls=(\d+)/m.exec(stats)?.[1] ?? '0')
}

t.test('REDIS_MIN_REPLICAS=0 (the default): no WAIT on the receivers\' path', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  for (let i = 0; i < 3; i++) t.equal((await post(h)).statusCode, 200)
  t.equal(await waits(h), 0, 'Redis never saw a WAIT')
})

t.test('REDIS_MIN_REPLICAS=1: 503 while no replica confirms, 200 once one does', async (t) => {
  const h = await startHarness(t, { role: 'api', env: { REDIS_MIN_REPLICAS: '1' } })
  const refused = await post(h)
  t.equal(refused.statusCode, 503, 'no replica: the delivery is refused, so the provider delivers again')
  t.match(JSON.parse(refused.body), { code: 'QUEUE_UNAVAILABLE' })
  t.match(refused.body, 'only 0 of 1 replicas (REDIS_MIN_REPLICAS) confirmed them', 'says the replicas did not confirm')
  t.equal(await waits(h), 1, 'after one WAIT')

  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'efs-replica-'))
  const replica = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--replicaof', '127.0.0.1', String(h.redis.port)], { stdio: 'ignore' })
  t.teardown(async () => {
    if (replica.exitCode === null) await new Promise<void>((resolve) => { replica.once('exit', () => resolve()); replica.kill('SIGKILL') })
    rmSync(dir, { recursive: true, force: true })
  })
  await waitFor('the replica to connect', async () => await h.redis.client().info('replication'), (s) => /connected_slaves:1/.test(s) && /slave0:.*state=online/.test(s))
  t.equal((await post(h)).statusCode, 200, 'one replica has the jobs: acknowledged')
})
