import t from 'tap'
import { randomUUID } from 'node:crypto'
import { createGraphClient } from '../../src/graph/client.js'
import { createLocalGraph } from '../helpers/local-graph/graph.js'
import { throttleWaitMs } from '../../src/graph/http.js'
import { secret } from '../helpers/harness.js'
import { G, GRAPH_GROUPS, graphUsers } from '../helpers/graph-fixtures.js'
import type { UpstreamError } from '../../src/errors.js'

async function start (t: { teardown: (fn: () => unknown) => void }, o: { pageSize?: number, tokenLifetimeSec?: number, clientSecret?: string } = {}) {
  const creds = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: secret() }
  const graph = createLocalGraph({ ...creds, users: graphUsers(), groups: GRAPH_GROUPS, ...(o.pageSize !== undefined && { pageSize: o.pageSize }), ...(o.tokenLifetimeSec !== undefined && { tokenLifetimeSec: o.tokenLifetimeSec }) })
  const url = await graph.listen(0)
  const client = createGraphClient({ baseUrl: url, credentials: { ...creds, clientSecret: o.clientSecret ?? creds.clientSecret, loginUrl: url }, timeoutMs: 2000 })
  t.teardown(async () => { await client.close(); await graph.close() })
  const tokens = (): number => graph.requests().filter((r) => r.path.endsWith('/token')).length
  return { graph, client, tokens, creds }
}

t.test('one token request for many concurrent calls, reused until near expiry', async (t) => {
  const { client, tokens } = await start(t)
  await Promise.all(Array.from({ length: 12 }, async () => await client.getUser(G.rep, ['givenName'])))
  t.equal(tokens(), 1)
  await client.getManager(G.rep)
  t.equal(tokens(), 1)
})

t.test('a short-lived token is renewed before it runs out', async (t) => {
  const { client, tokens } = await start(t, { tokenLifetimeSec: 1 })
  await client.getUser(G.rep, [])
  await new Promise((resolve) => setTimeout(resolve, 1100))
  await client.getUser(G.rep, [])
  t.equal(tokens(), 2, 'renewed at half its life')
})

t.test('users: $select, null for deleted, manager 404 → null', async (t) => {
  const { client, graph } = await start(t)
  const user = await client.getUser(G.rep, ['givenName', 'accountEnabled', 'employeeId'])
  t.same(Object.keys(user ?? {}).filter((k) => !k.startsWith('@')).sort(), ['accountEnabled', 'employeeId', 'givenName', 'id'])
  t.equal(await client.getUser('00000000-dead-4000-8000-000000000000', []), null)
  t.same(await client.getManager(G.rep), { mail: 'boss@example.com', userPrincipalName: 'boss@example.com' })
  t.equal(await client.getManager(G.boss), null)
  graph.inject({ kind: 'status', status: 404, count: 1 })
  await t.rejects(client.getUser(G.rep, []), { code: 'GRAPH_HTTP', status: 404 }, "a 404 that is not Graph's Request_ResourceNotFound is not a deletion")
})

t.test('groups: every page, nested groups included', async (t) => {
  const { client, graph } = await start(t, { pageSize: 2 })
  t.same((await client.listGroupNames(G.rep)).sort(), ['Everyone', 'Phoenix', 'Phoenix Reps', 'Reps'])
  t.equal(graph.requests().filter((r) => r.path.includes('transitiveMemberOf')).length, 2)
})

t.test('throttling and failures become one typed error each', async (t) => {
  const { client, graph } = await start(t)
  await client.getUser(G.rep, [])
  graph.inject({ kind: 'throttle', status: 429, retryAfterSec: 7, count: 1 })
  const e429 = await client.getUser(G.rep, []).catch((e: UpstreamError) => e)
  t.match(e429, { code: 'GRAPH_RATE_LIMITED', status: 429, retryAfterMs: 7000, transient: true })
  graph.inject({ kind: 'throttle', status: 504, retryAfterSec: 2, count: 1 })
  t.match(await client.getUser(G.rep, []).catch((e: UpstreamError) => e), { code: 'GRAPH_RATE_LIMITED', retryAfterMs: 2000 })
  graph.inject({ kind: 'throttle', status: 429, count: 1 })
  t.match(await client.getUser(G.rep, []).catch((e: UpstreamError) => e), { code: 'GRAPH_RATE_LIMITED', retryAfterMs: 10_000 }, '429 without Retry-After: a default wait')
  graph.inject({ kind: 'status', status: 503, count: 1 })
  t.match(await client.getUser(G.rep, []).catch((e: UpstreamError) => e), { code: 'GRAPH_UNAVAILABLE', transient: true }, '503 without Retry-After: ordinary backoff')
  graph.inject({ kind: 'status', status: 403, count: 1 })
  t.match(await client.getUser(G.rep, []).catch((e: UpstreamError) => e), { code: 'GRAPH_HTTP', transient: false, message: /User\.Read\.All/ })
})

t.test('a wrong client secret is a permanent error that never shows the secret', async (t) => {
  const { client } = await start(t, { clientSecret: 'not-the-secret-0123456789' })
  const err = await client.getUser(G.rep, []).then(() => undefined, (e: UpstreamError) => e)
  t.match(err, { code: 'GRAPH_HTTP', transient: false, message: /AADSTS7000215/ })
  t.notMatch(err?.message, 'not-the-secret-0123456789')
})

t.test('Retry-After in seconds or as a date', async (t) => {
  t.equal(throttleWaitMs({ 'retry-after': '3' }), 3000)
  t.equal(throttleWaitMs({ 'retry-after': '0' }), 1000, 'at least a second')
  t.equal(throttleWaitMs({ 'retry-after': new Date(Date.now() + 5000).toUTCString() }, Date.now()) as number > 3000, true)
  t.equal(throttleWaitMs({ 'retry-after': 'soon' }), undefined)
  t.equal(throttleWaitMs({}), undefined)
})
