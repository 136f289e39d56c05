import t from 'tap'
import { Writable } from 'node:stream'
import { startHarness, delivery } from '../helpers/harness.js'
import { rawSend, requestBytes } from '../security/raw-http.js'
import { buildApp } from '../../src/app.js'
import { MAX_EVENTS_PER_DELIVERY } from '../../src/okta/events.js'
import { fannedOut } from '../helpers/deliveries.js'

const json = { 'content-type': 'application/json' }

t.test('a delivery naming thousands of users is stored whole, answered 200, and fanned out in chunks', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  // Events as small as a delivery can make them, so the most fit under the 1 MiB body limit.
  const event = (i: number): Record<string, unknown> => ({ uuid: `e${i}`, eventType: 'user.account.update_profile', target: [{ id: `00ubig${i}`, type: 'User' }] })
  const body = (n: number): string => JSON.stringify({ data: { events: Array.from({ length: n }, (_, i) => event(i)) } })
  t.ok(Buffer.byteLength(body(MAX_EVENTS_PER_DELIVERY)) < 1024 * 1024)
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: body(MAX_EVENTS_PER_DELIVERY) })
  t.equal(res.statusCode, 200)
  const [stored] = await h.app.deliveryQueue.getWaiting()
  t.equal(stored?.data.jobs.length, MAX_EVENTS_PER_DELIVERY, 'the delivery is in Redis whole, before the 200')
  await fannedOut(h.app)
  t.equal(await h.app.syncQueue.getWaitingCount(), MAX_EVENTS_PER_DELIVERY, 'every sync job is in Redis once fanned out')
  const over = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: body(MAX_EVENTS_PER_DELIVERY + 1) })
  t.equal(over.statusCode, 400, 'past the documented limit')
  t.match(over.json().message, /events must NOT have more than 5000 items/)
})

t.test('a 503 never claims that nothing was stored', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  await h.redis.stop()
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep' }]) })
  t.equal(res.statusCode, 503)
  t.match(res.json().message, /some may be stored: deliver again/)
  t.notMatch(res.json().message, /nothing was stored/)
  await h.redis.start()
})

t.test('a request that does not finish sending its body within REQUEST_TIMEOUT_MS gets a 408', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  const app = await h.buildAnother({ REQUEST_TIMEOUT_MS: '1000' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const head = requestBytes({ method: 'POST', path: '/webhooks/okta', headers: [['content-type', 'application/json'], ['authorization', h.webhookSecret], ['content-length', '5000']] }, port)
  // Headers and the first bytes of the body, then nothing: the answer must come from the server.
  const res = await rawSend(port, Buffer.concat([head, Buffer.from('{"data":')]), 10_000)
  t.equal(res.status, 408)
})

t.test('operator and status answers are not cached or sniffed; rejections say who and where', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const h = await startHarness(t, { role: 'api' })
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done() } })
  const app = await buildApp({ config: h.config, mapping: h.app.mapping, logger: { level: 'info', stream } })
  await app.ready()
  t.teardown(async () => { await app.close() })
  for (const url of ['/status', '/ops/failed', '/ops/unresolved']) {
    const res = await app.inject({ method: 'GET', url, headers: h.ops })
    t.equal(res.statusCode, 200, url)
    t.equal(res.headers['cache-control'], 'no-store', `${url}: no-store`)
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${url}: nosniff`)
  }
  const denied = await app.inject({ method: 'GET', url: '/ops/failed', remoteAddress: '203.0.113.9' })
  t.equal(denied.statusCode, 401)
  t.equal(denied.headers['cache-control'], 'no-store', 'a refusal is not cached either')
  const line = lines.find((l) => l['msg'] === 'request rejected' && l['code'] === 'OPS_AUTH')
  t.match(line, { method: 'GET', route: '/ops/failed', client: '203.0.113.9', status: 401 }, 'the log line names the method, the route and the address')
})
