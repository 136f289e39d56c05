import t from 'tap'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { Agent, MockAgent } from 'undici'
import { UpstreamError } from '../../src/errors.js'
import { createEnerfloClient, describeRejection, rateLimitedForMs, type EnerfloClient, type EnerfloClientOptions } from '../../src/enerflo/client.js'
import { rateLimitResetMs, retryAfterMs } from '../../src/http/rate-headers.js'
import { createEnerfloSandbox, loadSandboxSeed, type EnerfloSandbox, type SandboxOptions } from '../../src/simulators/enerflo/sandbox.js'

const SEED = new URL('../../sandbox/enerflo-users.json', import.meta.url).pathname

type Teardown = { teardown: (fn: () => unknown) => void }

async function setup (t: Teardown, sandbox: Partial<SandboxOptions> = {}, client: Partial<EnerfloClientOptions> = {}): Promise<{ sb: EnerfloSandbox, enerflo: EnerfloClient, key: string, base: string }> {
  const seed = await loadSandboxSeed(SEED)
  const key = randomBytes(16).toString('hex')
  const sb = createEnerfloSandbox({ apiKey: key, users: seed.users, offices: seed.offices, ...sandbox })
  const base = await sb.listen()
  const enerflo = createEnerfloClient({ baseUrl: base, apiKey: key, ...client })
  t.teardown(async () => { await enerflo.close(); await sb.close() })
  return { sb, enerflo, key, base }
}

/** The UpstreamError a call throws; fails the test when it resolves or throws something else. */
async function failure (p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p
  } catch (err) {
    if (err instanceof UpstreamError) return err
    throw err
  }
  throw new Error('expected the call to fail')
}

t.test('success: sends the body with the api-key, returns status, body and rate-limit headers', async (t) => {
  const { sb, enerflo } = await setup(t, { rateLimit: { max: 10, windowMs: 60_000 } })
  const res = await enerflo.updateUser({ id: 1002, first_name: 'Samuel', phone: '6025550199' })
  t.equal(res.status, 200)
  t.equal(res.rateLimitRemaining, 9)
  t.equal(res.rateLimitResetMs, undefined, 'Enerflo sends no reset on success')
  t.match(res.body, { success: true, data: { id: 1002, first_name: 'Samuel' } })
  t.equal(sb.user(1002)?.first_name, 'Samuel')
  t.same(sb.requests()[0]?.body, { id: 1002, first_name: 'Samuel', phone: '6025550199' })
  t.equal((await enerflo.updateUser({ id: 1002, active: true })).rateLimitRemaining, 8)
})

t.test('a trailing slash on the base URL is fine', async (t) => {
  const { enerflo: _unused, base, key } = await setup(t)
  const c = createEnerfloClient({ baseUrl: `${base}/`, apiKey: key })
  t.teardown(() => c.close())
  t.equal((await c.updateUser({ id: 1004, active: true })).status, 200)
})

t.test('429 from the real budget: ENERFLO_RATE_LIMITED, transient, retryAfterMs from retry-after', async (t) => {
  const { enerflo } = await setup(t, { rateLimit: { max: 1, windowMs: 60_000 } })
  t.equal((await enerflo.updateUser({ id: 1004, active: true })).rateLimitRemaining, 0)
  const err = await failure(enerflo.updateUser({ id: 1004, active: true }))
  t.equal(err.code, 'ENERFLO_RATE_LIMITED')
  t.equal(err.status, 429)
  t.equal(err.transient, true)
  t.ok(err.retryAfterMs !== undefined && err.retryAfterMs > 55_000 && err.retryAfterMs <= 60_000, `retryAfterMs ${err.retryAfterMs}`)
  t.equal(err.headers['x-ratelimit-remaining'], '0')
  t.ok(err.headers['x-ratelimit-reset'])
  t.match(err.body, /Too Many Requests/, 'the HTML body is kept as text')
})

t.test('429 fault: retryAfterMs follows the retry-after it sent', async (t) => {
  const { sb, enerflo } = await setup(t)
  sb.inject({ kind: 'rate-limit', count: 1, retryAfterSec: 7 })
  const err = await failure(enerflo.updateUser({ id: 1004, active: true }))
  t.equal(err.code, 'ENERFLO_RATE_LIMITED')
  t.equal(err.retryAfterMs, 7000)
})

t.test('5xx: ENERFLO_UNAVAILABLE, transient, with status and body', async (t) => {
  const { sb, enerflo } = await setup(t)
  sb.inject({ kind: 'status', status: 503, count: 1, body: '<html>' + 'x'.repeat(2000) + '</html>' })
  const err = await failure(enerflo.updateUser({ id: 1004, active: true }))
  t.equal(err.code, 'ENERFLO_UNAVAILABLE')
  t.equal(err.status, 503)
  t.equal(err.transient, true)
  t.ok(typeof err.body === 'string' && err.body.length <= 501, 'non-JSON body truncated to 500 chars')
  t.ok(err.headers['x-ratelimit-remaining'], 'headers carried')
  t.equal((await enerflo.updateUser({ id: 1004, active: true })).status, 200, 'the next call works')
})

t.test('a dropped connection: transient, status 0', async (t) => {
  const { sb, enerflo } = await setup(t)
  sb.inject({ kind: 'drop', count: 1 })
  const err = await failure(enerflo.updateUser({ id: 1004, active: true }))
  t.equal(err.code, 'ENERFLO_UNAVAILABLE')
  t.equal(err.status, 0)
  t.equal(err.transient, true)
  t.ok(err.cause, 'keeps the cause')
})

t.test('no answer within timeoutMs: transient, status 0, says it timed out', async (t) => {
  const { sb, enerflo } = await setup(t, {}, { timeoutMs: 150 })
  // undici's timers tick at ~0.5 s for sockets, so the timeout fires within about a second.
  sb.inject({ kind: 'latency', ms: 4000, count: 1 })
  const err = await failure(enerflo.updateUser({ id: 1004, active: true }))
  // The proof it did not wait: when the client gave up, the sandbox had not answered yet.
  t.same(sb.requests().map((r) => r.status), [0], 'the PUT was still unanswered when the client gave up')
  t.equal(err.code, 'ENERFLO_UNAVAILABLE')
  t.equal(err.status, 0)
  t.equal(err.transient, true)
  t.match(err.message, /did not answer within 150 ms \(UND_ERR_HEADERS_TIMEOUT\)/)
})

t.test('connection refused: transient, status 0', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const addr = s.address()
      s.close(() => { resolve(typeof addr === 'object' && addr !== null ? addr.port : 0) })
    })
  })
  const c = createEnerfloClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k' })
  t.teardown(() => c.close())
  const err = await failure(c.updateUser({ id: 1, active: true }))
  t.equal(err.code, 'ENERFLO_UNAVAILABLE')
  t.equal(err.status, 0)
  t.match(err.message, /ECONNREFUSED/)
})

t.test('an unusable base URL is a permanent ENERFLO_HTTP, not a retry loop', async (t) => {
  const c = createEnerfloClient({ baseUrl: 'not a url', apiKey: 'k' })
  t.teardown(() => c.close())
  const err = await failure(c.updateUser({ id: 1, active: true }))
  t.equal(err.code, 'ENERFLO_HTTP')
  t.equal(err.transient, false)
  t.match(err.message, /ENERFLO_BASE_URL/)
})

t.test('removing an attributed role: permanent, names the role and the reassignment', async (t) => {
  const { sb, enerflo } = await setup(t)
  const err = await failure(enerflo.updateUser({ id: 1002, roles: ['Setter'] }))
  t.equal(err.code, 'ENERFLO_REJECTED')
  t.equal(err.status, 422)
  t.equal(err.transient, false)
  t.match(err.message, /remove the Sales Rep role from user 1002/)
  t.match(err.message, /surveys or appointments.*reassign them in Enerflo first/)
  t.match(err.body, { success: false, errors: { roles: [/Sales Rep/] } }, 'parsed JSON body kept')
  t.same(sb.user(1002)?.roles, ['Sales Rep'])
})

t.test('a taken email: the message names the email', async (t) => {
  const { enerflo } = await setup(t)
  const err = await failure(enerflo.updateUser({ id: 1003, email: 'sam.patel@example.com' }))
  t.equal(err.code, 'ENERFLO_REJECTED')
  t.match(err.message, /^Enerflo says the email sam\.patel@example\.com is already taken by another user; /)
})

t.test('401: permanent, tells the operator to check ENERFLO_API_KEY, never shows the key', async (t) => {
  const { base } = await setup(t)
  const wrong = `wrong-${randomBytes(8).toString('hex')}`
  const c = createEnerfloClient({ baseUrl: base, apiKey: wrong })
  t.teardown(() => c.close())
  const err = await failure(c.updateUser({ id: 1004, active: true }))
  t.equal(err.code, 'ENERFLO_REJECTED')
  t.equal(err.status, 401)
  t.equal(err.transient, false)
  t.match(err.message, /check ENERFLO_API_KEY/)
  t.notOk(JSON.stringify({ m: err.message, h: err.headers, b: err.body }).includes(wrong), 'key nowhere in the error')
})

t.test('200 with success:false is a rejection carrying the body message', async (t) => {
  const { sb, enerflo } = await setup(t)
  sb.inject({ kind: 'status', status: 200, count: 1, body: JSON.stringify({ success: false, message: 'Office is archived.' }) })
  const err = await failure(enerflo.updateUser({ id: 1004, active: true }))
  t.equal(err.code, 'ENERFLO_REJECTED')
  t.equal(err.status, 200)
  t.equal(err.transient, false)
  t.equal(err.message, 'Enerflo rejected the update of user 1004 (HTTP 200): Office is archived.')
})

t.test('unknown user id, bad phone, unknown manager, slug role, unknown office: actionable messages', async (t) => {
  const { enerflo } = await setup(t)
  const unknown = await failure(enerflo.updateUser({ id: 777777, active: true }))
  t.equal(unknown.code, 'ENERFLO_REJECTED')
  t.match(unknown.message, /no user with id 777777: the stored link or the identity attribute points at a user Enerflo does not have/)
  const phone = await failure(enerflo.updateUser({ id: 1004, phone: '12345' }))
  t.match(phone.message, /rejected the phone of user 1004/)
  t.notMatch(phone.message, /12345/, 'the phone number itself stays out of the message')
  const manager = await failure(enerflo.updateUser({ id: 1004, manager_email: 'ghost@example.com' }))
  t.match(manager.message, /rejected manager_email ghost@example\.com for user 1004/)
  const role = await failure(enerflo.updateUser({ id: 1004, roles: ['sales_rep'] }))
  t.match(role.message, /rejected the roles of user 1004: .*sales_rep.*Role Names/)
  const office = await failure(enerflo.updateUser({ id: 1004, office_ids: [999] }))
  t.match(office.message, /rejected office_ids of user 1004: .*999/)
  const both = await failure(enerflo.updateUser({ id: 1004, phone: '1', active: 'no' as unknown as boolean }))
  t.match(both.message, /Enerflo rejected active of user 1004: .*\. Enerflo rejected the phone of user 1004/, 'one sentence per field')
})

t.test('describeRejection falls back to status and message for shapes it does not know', async (t) => {
  t.equal(describeRejection(400, { error: 'Bad thing' }, { id: 1 }), 'Enerflo rejected the update of user 1 (HTTP 400): Bad thing')
  t.equal(describeRejection(409, 'plain text', { id: 2 }), 'Enerflo rejected the update of user 2 (HTTP 409): plain text')
  t.equal(describeRejection(400, undefined, { id: 3 }), 'Enerflo rejected the update of user 3 (HTTP 400): no reason given')
  t.match(describeRejection(422, { errors: ['Cannot remove Setter: appointments attributed'] }, { id: 4 }), /remove the Setter role from user 4/)
  t.match(describeRejection(422, { message: 'No query results for model [User] 5' }, { id: 5 }), /no user with id 5/)
  t.notMatch(describeRejection(422, { message: 'Office not found.' }, { id: 6 }), /no user with id/, 'only a missing user is a missing user')
})

t.test('error bodies are always read: a one-connection pool keeps working after failures', { timeout: 15_000 }, async (t) => {
  const dispatcher = new Agent({ connections: 1 })
  t.teardown(() => dispatcher.close())
  const { sb, base, key } = await setup(t)
  const c = createEnerfloClient({ baseUrl: base, apiKey: key, dispatcher, timeoutMs: 2000 })
  // Bodies past undici's stream buffer: left unread, they would hold the only connection.
  sb.inject({ kind: 'status', status: 500, count: 3, body: `<html>${'e'.repeat(256 * 1024)}</html>` })
  for (let i = 0; i < 3; i++) t.equal((await failure(c.updateUser({ id: 1004, active: true }))).status, 500)
  for (let i = 0; i < 3; i++) t.equal((await failure(c.updateUser({ id: 1003, email: 'sam.patel@example.com' }))).status, 422)
  t.equal((await c.updateUser({ id: 1004, active: true })).status, 200)
  await c.close()
  t.equal(dispatcher.closed, false, 'close() leaves a dispatcher it was given alone')
})

t.test('MockAgent: 429 without headers waits one window; reset header read on success; 3xx permanent', async (t) => {
  const agent = new MockAgent()
  agent.disableNetConnect()
  t.teardown(() => agent.close())
  const pool = agent.get('https://enerflo.test')
  const c = createEnerfloClient({ baseUrl: 'https://enerflo.test', apiKey: 'secret-key', dispatcher: agent })
  pool.intercept({ path: '/api/v3/users', method: 'PUT', headers: { 'api-key': 'secret-key', accept: 'application/json' } })
    .reply(429, 'Too Many Requests')
  const limited = await failure(c.updateUser({ id: 1, active: true }))
  t.equal(limited.retryAfterMs, 60_000)
  t.equal(limited.body, 'Too Many Requests')

  pool.intercept({ path: '/api/v3/users', method: 'PUT' })
    .reply(200, { success: true, data: {} }, { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '12' } })
  const ok = await c.updateUser({ id: 1, active: true })
  t.same([ok.rateLimitRemaining, ok.rateLimitResetMs], [0, 12_000])

  pool.intercept({ path: '/api/v3/users', method: 'PUT' }).reply(301, '', { headers: { location: 'https://www.enerflo.test/api/v3/users' } })
  const moved = await failure(c.updateUser({ id: 1, active: true }))
  t.equal(moved.code, 'ENERFLO_HTTP')
  t.equal(moved.transient, false)
  t.match(moved.message, /301 \(to https:\/\/www\.enerflo\.test\/api\/v3\/users\); check ENERFLO_BASE_URL/)

  pool.intercept({ path: '/api/v3/users', method: 'PUT' }).reply(403, { message: 'Forbidden for key secret-key' })
  const forbidden = await failure(c.updateUser({ id: 1, active: true }))
  t.equal(forbidden.code, 'ENERFLO_REJECTED')
  t.notMatch(forbidden.message, /secret-key/)
  t.same(forbidden.body, { message: 'Forbidden for key [redacted]' }, 'an echoed key is scrubbed from the body too')
})

t.test('rate headers: retry-after seconds or HTTP date; reset as epoch or seconds', async (t) => {
  const now = 1_711_037_944_000
  t.equal(retryAfterMs({ 'retry-after': '41' }, now), 41_000)
  t.equal(retryAfterMs({ 'retry-after': new Date(now + 30_000).toUTCString() }, now), 30_000)
  t.equal(retryAfterMs({ 'retry-after': 'soon' }, now), undefined)
  t.equal(retryAfterMs({ 'retry-after': '-3' }, now), undefined)
  t.equal(rateLimitResetMs({ 'x-ratelimit-reset': '1711037985' }, now), 41_000, "Enerflo's documented form")
  t.equal(rateLimitResetMs({ 'x-ratelimit-reset': '20' }, now), 20_000)
  t.equal(rateLimitResetMs({ 'x-ratelimit-reset': '1711037900' }, now), 0, 'a reset in the past is now')
  t.equal(rateLimitResetMs({}, now), undefined)
  t.equal(rateLimitedForMs({ 'x-ratelimit-reset': '1711037985' }, now), 41_000, 'reset when no retry-after')
  t.equal(rateLimitedForMs({ 'retry-after': '5', 'x-ratelimit-reset': '1711037985' }, now), 5_000, 'retry-after wins')
  t.equal(rateLimitedForMs({}, now), 60_000)
})

t.test('a manager Enerflo does not have yet is retried (it may be a new hire on its way); other rejections are not', async (t) => {
  const { enerflo } = await setup(t)
  const manager = await failure(enerflo.updateUser({ id: 1003, manager_email: 'not.yet@example.com' }))
  t.equal(manager.code, 'ENERFLO_REJECTED')
  t.equal(manager.transient, true)
  t.match(manager.message, /manager/)
  const both = await failure(enerflo.updateUser({ id: 1003, manager_email: 'not.yet@example.com', email: 'sam.patel@example.com' }))
  t.equal(both.transient, false, 'with another problem beside it, it is permanent')
})
