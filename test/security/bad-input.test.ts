/**
 * Bad input, every route: a corpus of hostile and broken requests, each with the status it must
 * get (never a 5xx; a 2xx only where the route drops it by design), most through inject() and
 * the wire-level ones (invalid UTF-8, repeated and oversized headers, unknown methods, framing)
 * through a real socket. Afterwards the process still serves, nothing was queued or stored, and
 * Object.prototype is untouched. The per-route figures are printed for docs/RELIABILITY.md.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { startGraphHarness } from '../helpers/graph-harness.js'
import { delivery } from '../helpers/harness.js'
import { G } from '../helpers/graph-fixtures.js'
import { checkAnswer, invalidUtf8, runCase, type Case, type Tally } from './corpus.js'
import { oktaGetCases, oktaPostCases, sameLengthWrong, type Secrets } from './bad-input-cases.js'
import { graphCases, graphItem, lifecycleCases, lifecycleItem } from './bad-input-graph-cases.js'
import { OPS_ROUTES, opsCases } from './bad-input-ops-cases.js'
import { rawRequest, rawSend, requestBytes, type RawRequest } from './raw-http.js'
import { checkScimAnswer, runScimCase, scimFamilies, scimFixtures, scimSnapshot, scimWireCases } from './bad-input-scim-cases.js'
import { fannedOut } from '../helpers/deliveries.js'


async function scanKeys (redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    keys.push(...batch)
  } while (cursor !== '0')
  return keys.sort()
}

interface WireCase extends Omit<Case, 'headers' | 'payload'> { family: string, raw: RawRequest | Buffer }

function wireCases (s: Secrets, port: number): WireCase[] {
  const okta = '/webhooks/okta'
  const json: [string, string] = ['content-type', 'application/json']
  const secret: [string, string] = ['authorization', s.webhookSecret]
  const bearer: [string, string] = ['authorization', `Bearer ${s.opsToken}`]
  const valid = JSON.stringify(delivery([{ type: 'user.lifecycle.create', userId: '00uwire' }]))
  const graphBody = (item: Record<string, unknown>): string => JSON.stringify({ value: [item] })
  const w = (family: string, name: string, raw: RawRequest | Buffer, status: number, extra: Partial<WireCase> = {}): WireCase => {
    const method = Buffer.isBuffer(raw) ? raw.toString('latin1').split(' ')[0] ?? '' : raw.method
    const url = Buffer.isBuffer(raw) ? raw.toString('latin1').split(' ')[1] ?? '' : raw.path
    return { family, name, method, url, status, raw, ...extra }
  }
  const big = 'h'.repeat(20_000)
  const chunked = (path: string, headers: Array<[string, string]>): Buffer => {
    const chunk = 'x'.repeat(64 * 1024)
    const body = Array.from({ length: 20 }, () => `${(chunk.length).toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n'
    return Buffer.concat([requestBytes({ method: 'POST', path, headers: [...headers, ['transfer-encoding', 'chunked']] }, port), Buffer.from(body)])
  }
  const families: Array<[string, string, Array<[string, string]>]> = [
    ['POST /webhooks/okta', okta, [json, secret]],
    ['POST /webhooks/graph', '/webhooks/graph', [json]],
    ['POST /webhooks/graph/lifecycle', '/webhooks/graph/lifecycle', [json]],
    ['POST /ops/failed/retry', '/ops/failed/retry', [json, bearer]]
  ]
  const perRoute = families.flatMap(([family, path, headers]): WireCase[] => [
    w(family, 'invalid UTF-8 outside strings', { method: 'POST', path, headers, body: invalidUtf8('{"value": [BAD]}') }, 400),
    w(family, 'invalid UTF-8 as the whole body', { method: 'POST', path, headers, body: Buffer.from([0xff, 0xfe, 0xfd, 0x80, 0x81]) }, 400),
    w(family, 'a repeated content type, text/plain first', { method: 'POST', path, headers: [['content-type', 'text/plain'], ...headers], body: '{}' }, 415),
    w(family, 'a 20 kB header', { method: 'POST', path, headers: [...headers, ['x-padding', big]], body: '{}' }, 431),
    w(family, 'a 20 kB URL', { method: 'POST', path: `${path}?q=${big}`, headers, body: '{}' }, 431),
    w(family, 'two different content-lengths', { method: 'POST', path, headers: [...headers, ['content-length', '2'], ['content-length', '3']], body: '{}', contentLength: false }, 400),
    w(family, 'content-length and chunked together', { method: 'POST', path, headers: [...headers, ['content-length', '2'], ['transfer-encoding', 'chunked']], body: '0\r\n\r\n', contentLength: false }, 400),
    w(family, 'a NUL in a header', { method: 'POST', path, headers: [...headers, ['x-note', 'a\u0000b']], body: '{}' }, 400),
    w(family, 'an unknown method', { method: 'FROB', path, headers, body: '{}' }, 400),
    w(family, 'PROPFIND', { method: 'PROPFIND', path, headers, body: '{}' }, 404),
    w(family, 'a content-length of 10 MB and no body', { method: 'POST', path, headers: [...headers, ['content-length', '10000000']], contentLength: false }, 413),
    w(family, 'a chunked body over 1 MiB', chunked(path, headers), 413)
  ])
  return [
    ...perRoute,
    w('POST /webhooks/okta', 'a wrong secret, then the right one (repeated header)', { method: 'POST', path: okta, headers: [json, ['authorization', sameLengthWrong(s.webhookSecret)], secret], body: valid }, 401),
    w('POST /webhooks/okta', 'the secret with Latin-1 bytes appended', { method: 'POST', path: okta, headers: [json, ['authorization', Buffer.concat([Buffer.from(s.webhookSecret), Buffer.from([0xff, 0xe9])])]], body: valid }, 401),
    w('POST /webhooks/okta', 'the secret then a bare CR', { method: 'POST', path: okta, headers: [json, ['authorization', `${s.webhookSecret}\rx`]], body: valid }, 400),
    w('GET /webhooks/okta', 'a wrong secret, then the right one (repeated header)', { method: 'GET', path: okta, headers: [['x-okta-verification-challenge', 'c'], ['authorization', 'x'], secret] }, 401),
    w('GET /webhooks/okta', 'HEAD without a secret', { method: 'HEAD', path: okta, headers: [['x-okta-verification-challenge', 'c']] }, 401),
    w('GET /webhooks/okta', 'a 20 kB challenge', { method: 'GET', path: okta, headers: [secret, ['x-okta-verification-challenge', big]] }, 431),
    w('POST /webhooks/graph', 'a clientState with invalid UTF-8 after it', { method: 'POST', path: '/webhooks/graph', headers: [json], body: invalidUtf8(graphBody(graphItem(s, { clientState: `${s.clientState}BAD` })), 'BAD') }, 202, { acknowledged: 'a wrong clientState is dropped and counted (README)' }),
    w('POST /webhooks/graph/lifecycle', 'a clientState with invalid UTF-8 after it', { method: 'POST', path: '/webhooks/graph/lifecycle', headers: [json], body: invalidUtf8(graphBody(lifecycleItem(s, { clientState: `${s.clientState}BAD` })), 'BAD') }, 202, { acknowledged: 'a wrong clientState is dropped and counted (README)' }),
    w('GET /status', 'a wrong token, then the right one (repeated header)', { method: 'GET', path: '/status', headers: [['authorization', 'Bearer x'], bearer] }, 401),
    w('GET /status', 'the token with Latin-1 bytes appended', { method: 'GET', path: '/status', headers: [['authorization', Buffer.concat([Buffer.from(`Bearer ${s.opsToken}`), Buffer.from([0xe9])])]] }, 401),
    w('GET /status', 'a 20 kB token', { method: 'GET', path: '/status', headers: [['authorization', `Bearer ${big}`]] }, 431),
    w('POST /ops/links/import', 'CSV with invalid UTF-8 in every id', { method: 'POST', path: '/ops/links/import', headers: [['content-type', 'text/csv'], bearer], body: invalidUtf8('source,idp_user_id,enerflo_user_id\nokta,00uBAD,5\n') }, 200, { acknowledged: 'an import answers 200 with every rejected row and its reason; nothing is stored' }),
    w('PUT /ops/links/:source/:idpUserId', 'invalid UTF-8 bytes in the path', Buffer.concat([Buffer.from('PUT /ops/links/okta/00u'), Buffer.from([0xff, 0xfe]), Buffer.from(` HTTP/1.1\r\nhost: x\r\nconnection: close\r\nauthorization: Bearer ${s.opsToken}\r\ncontent-type: application/json\r\ncontent-length: 21\r\n\r\n{"enerfloUserId": 50}`)]), 400),
    // Dot segments reach the router as they are on the wire (inject normalises them away).
    w('PUT /ops/links/:source/:idpUserId', 'an id of two dots', { method: 'PUT', path: '/ops/links/okta/..', headers: [json, bearer], body: '{"enerfloUserId": 5}' }, 400, { code: 'OPS_BAD_REQUEST' }),
    w('DELETE /ops/links/:source/:idpUserId', 'an id of one dot', { method: 'DELETE', path: '/ops/links/okta/.', headers: [bearer] }, 400, { code: 'OPS_BAD_REQUEST' }),
    w('GET /ops/users/:source/:idpUserId', 'an id of two dots', { method: 'GET', path: '/ops/users/graph/..', headers: [bearer] }, 400, { code: 'OPS_BAD_REQUEST' }),
    w('GET /ops/preview/:source/:idpUserId', 'an id of two dots', { method: 'GET', path: '/ops/preview/okta/..', headers: [bearer] }, 400, { code: 'OPS_BAD_REQUEST' }),
    // Answered from the headers alone: the body is announced and never sent, so an answer at all
    // proves nothing waited for it (rawSend fails after 5 s without one).
    w('POST /ops/links/import', 'no token, 5 MB announced, no body sent', { method: 'POST', path: '/ops/links/import', headers: [['content-type', 'text/csv'], ['content-length', '5000000']], contentLength: false }, 401, { code: 'OPS_AUTH' }),
    w('POST /webhooks/okta', 'a wrong secret, 1 MB announced, no body sent', { method: 'POST', path: okta, headers: [json, ['authorization', sameLengthWrong(s.webhookSecret)], ['content-length', '1000000']], contentLength: false }, 401, { code: 'WEBHOOK_AUTH' }),
    w('POST /ops/failed/retry', 'no token, 1 MB announced, no body sent', { method: 'POST', path: '/ops/failed/retry', headers: [json, ['content-length', '1000000']], contentLength: false }, 401, { code: 'OPS_AUTH' }),
    w('GET /webhooks/okta', 'an unknown route, 5 MB announced, no body sent', { method: 'POST', path: '/webhooks/nope', headers: [json, ['content-length', '5000000']], contentLength: false }, 404, { code: 'NOT_FOUND' }),
    w('GET /webhooks/okta', 'a dot-dot path', { method: 'GET', path: '/webhooks/x/../okta', headers: [secret, ['x-okta-verification-challenge', 'c']] }, 404, { code: 'NOT_FOUND' })
  ]
}

t.test('bad-input corpus: 4xx with a clear message, never 5xx, nothing stored', async (t) => {
  const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort()
  const scimToken = randomBytes(24).toString('hex')
  const h = await startGraphHarness(t, { role: 'api', noPublicUrl: true, env: { SCIM_TOKEN: scimToken } })
  const s: Secrets = {
    webhookSecret: h.webhookSecret, opsToken: h.config.OPS_TOKEN ?? '', clientState: h.clientState, tenantId: h.tenantId,
    apiKey: h.config.ENERFLO_API_KEY ?? '', oktaToken: h.config.OKTA_API_TOKEN ?? ''
  }
  const redis = h.redis.client()
  // One SCIM user and group for the SCIM cases to aim at, stored before the "before" picture.
  const scim = await scimFixtures(h.app, scimToken, [s.webhookSecret, s.opsToken, s.clientState, s.apiKey, s.oktaToken])
  const scimBefore = await scimSnapshot(redis, h.app.scimStore.base)
  const keysBefore = await scanKeys(redis, '*')
  const tallies = new Map<string, Tally>()
  const tally = (family: string): Tally => {
    const found = tallies.get(family) ?? { cases: 0, wire: 0, fiveXX: 0, twoXX: 0, fourXX: 0 }
    tallies.set(family, found)
    return found
  }
  const families: Array<[string, Case[]]> = [
    ['POST /webhooks/okta', oktaPostCases(s)],
    ['GET /webhooks/okta', oktaGetCases(s)],
    ['POST /webhooks/graph', graphCases(s)],
    ['POST /webhooks/graph/lifecycle', lifecycleCases(s)],
    ...OPS_ROUTES.map((r): [string, Case[]] => [r.family, opsCases(r, s)])
  ]
  for (const [family, cases] of families) {
    await t.test(`${family} (${cases.length} cases, inject)`, async (t) => {
      for (const c of cases) await runCase(t, h.app, c, tally(family))
    })
  }
  for (const [family, cases] of scimFamilies(scim)) {
    await t.test(`${family} (${cases.length} cases, inject)`, async (t) => {
      for (const c of cases) await runScimCase(t, h.app, c, tally(family))
    })
  }

  await t.test('over a real socket', async (t) => {
    await h.app.listen({ port: 0, host: '127.0.0.1' })
    const address = h.app.server.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    for (const c of wireCases(s, port)) {
      const res = Buffer.isBuffer(c.raw) ? await rawSend(port, c.raw) : await rawRequest(port, c.raw)
      checkAnswer(t, c, { statusCode: res.status, headers: res.headers, body: res.body }, tally(c.family), 'wire')
    }
    for (const c of scimWireCases(scim)) {
      const res = await rawRequest(port, c.raw)
      checkScimAnswer(t, c, { statusCode: res.status, headers: res.headers, body: res.body }, tally(c.family), 'wire')
    }
  })

  await t.test('afterwards: nothing queued or stored, no prototype polluted, and it still serves', async (t) => {
    const counts = await h.app.syncQueue.getJobCounts()
    t.same(Object.values(counts).filter((n) => n > 0), [], 'no sync job in any state')
    t.same(Object.values(await h.app.deliveryQueue.getJobCounts()).filter((n) => n > 0), [], 'no delivery stored, in any state')
    t.same(Object.values(await h.app.graph.queue.getJobCounts()).filter((n) => n > 0), [], 'no subscription job in any state')
    const keysAfter = await scanKeys(redis, '*')
    const added = keysAfter.filter((k) => !keysBefore.includes(k))
    // The counters /status shows (rejections; last-event for Graph items that were ours but not about a user).
    t.same(added.filter((k) => !/^test:stats(:last-event)?$/.test(k)), [], `no key but the counters (added: ${added.join(', ')})`)
    t.same(keysAfter.filter((k) => /^test:(user-sync|deliveries|graph-subscription):(\d+|[0-9a-z]+-[0-9a-f]+-[0-9a-z]+|de:.*|wait|prioritized|delayed)$/.test(k) || k.startsWith('test:event:')), [], 'no job, deduplication key, waiting list or event record')
    t.same(await h.app.scimStore.counts(), { users: 1, groups: 1, dirty: 0 }, 'SCIM: still the one user and group, nothing marked for sync')
    t.same(await scimSnapshot(redis, h.app.scimStore.base), scimBefore, 'SCIM: every key and value as it was')
    t.same(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore, 'Object.prototype has no new property')
    const probe = {} as Record<string, unknown>
    for (const k of ['polluted', 'isAdmin', 'value', 'enerfloUserId', 'reveal', 'source']) t.equal(probe[k], undefined, `({}).${k} is undefined`)

    const okta = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep' }]) })
    t.equal(okta.statusCode, 200, 'a valid Okta delivery is accepted')
    const graph = await h.post({ value: [graphItem(s, { resource: `Users/${G.rep}`, resourceData: { id: G.rep } })] })
    t.equal(graph.statusCode, 202, 'a valid Graph notification is accepted')
    const lifecycle = await h.post({ value: [lifecycleItem(s, { lifecycleEvent: 'missed' })] }, { url: '/webhooks/graph/lifecycle' })
    t.equal(lifecycle.statusCode, 202, 'a valid lifecycle notification is accepted')
    t.equal((await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).statusCode, 200, '/status answers')
    const scimRead = await h.app.inject({ method: 'GET', url: `/scim/v2/Users/${scim.userId}`, headers: { authorization: `Bearer ${scimToken}` } })
    t.equal(scimRead.statusCode, 200, 'SCIM answers with the token')
    await fannedOut(h.app)
    t.same((await h.app.syncQueue.getWaiting()).map((j) => j.data.userId).sort(), ['00urep', G.rep].sort(), 'and exactly those two were queued')
    const wire = await rawRequest((h.app.server.address() as { port: number }).port, { method: 'GET', path: '/healthz' })
    t.equal(wire.status, 200, 'the listener still answers over HTTP')
  })

  await t.test('a schema failure says which part of the request is wrong, with the route family\'s code', async (t) => {
    const answer = async (method: 'GET' | 'POST', url: string, payload?: string): Promise<Record<string, unknown>> =>
      (await h.app.inject({ method, url, headers: { ...h.ops, authorization: url.startsWith('/webhooks/') ? h.webhookSecret : h.ops['authorization'] ?? '', 'content-type': 'application/json' }, ...(payload !== undefined && { payload }) })).json()
    t.match(await answer('GET', '/ops/failed?limit=0'), { code: 'OPS_BAD_REQUEST', message: /^invalid query string: querystring\/limit must be >= 1/ })
    t.match(await answer('GET', '/ops/users/ldap/x'), { code: 'OPS_BAD_REQUEST', message: /^invalid path: params\/source/ })
    t.match(await answer('POST', '/ops/failed/retry', '{"code": 5}'), { code: 'OPS_BAD_REQUEST', message: /^invalid body: body\/code must be string/ })
    t.match(await answer('POST', '/webhooks/okta', '{}'), { code: 'WEBHOOK_BODY', message: /^invalid body: body must have required property 'data'/ })
  })

  await t.test('an Okta "user id" that cannot be one is acknowledged but not queued', async (t) => {
    // Every route accepts user ids matching ^[A-Za-z0-9._-]{1,200}$ only (src/okta/events.ts
    // USER_ID): anything else would become an unresolved user /ops/links could not address.
    await h.app.syncQueue.obliterate({ force: true })
    const port = (h.app.server.address() as { port: number }).port
    const ids = ['../../admin', 'u'.repeat(5000), 'a b', '00u\u202Eevil']
    for (const id of ids) {
      const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.lifecycle.create', userId: id }]) })
      t.equal(res.statusCode, 200, `${JSON.stringify(id.slice(0, 20))}: acknowledged (Okta must not retry it)`)
    }
    const body = invalidUtf8(JSON.stringify(delivery([{ type: 'user.lifecycle.create', userId: '00uBAD' }])), 'BAD')
    const wire = await rawRequest(port, { method: 'POST', path: '/webhooks/okta', headers: [['content-type', 'application/json'], ['authorization', h.webhookSecret]], body })
    t.equal(wire.status, 200, 'invalid UTF-8 inside the user id: acknowledged')
    await fannedOut(h.app)
    const queued = (await h.app.syncQueue.getWaiting()).map((j) => j.data.userId.slice(0, 20))
    t.same(queued, [], 'none of them is queued')
    await h.app.syncQueue.obliterate({ force: true })
  })

  let total = 0
  let fiveXX = 0
  t.comment('bad-input corpus, per route: cases (of which over a real socket) / 4xx / 2xx by design / 5xx')
  for (const [family, n] of tallies) {
    total += n.cases
    fiveXX += n.fiveXX
    t.comment(`  ${family.padEnd(40)} ${String(n.cases).padStart(4)} cases (${String(n.wire).padStart(2)} wire)  ${String(n.fourXX).padStart(4)} 4xx  ${String(n.twoXX).padStart(3)} 2xx  ${n.fiveXX} 5xx`)
    t.ok(n.cases >= 40, `${family}: at least 40 cases (${n.cases})`)
  }
  t.comment(`  total ${total} cases (${[...tallies.values()].reduce((a, n) => a + n.wire, 0)} over a real socket), ${fiveXX} 5xx`)
  t.equal(fiveXX, 0, 'no 5xx anywhere')
})
