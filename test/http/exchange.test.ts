import t from 'tap'
import { createServer } from 'node:net'
import { Agent } from 'undici'
import { exchange, type ExchangeRequest, type Exchanged } from '../../src/http/exchange.js'
import { startPeer } from './peer.js'

const pool = new Agent()
t.teardown(() => pool.close())
const base = { method: 'GET', dispatcher: pool, timeoutMs: 2000 } as const

async function answered (req: Partial<ExchangeRequest> & { url: string }): Promise<Extract<Exchanged, { ok: true }>['answer']> {
  const r = await exchange({ ...base, ...req })
  if (!r.ok) throw new Error(`expected an answer, got ${r.noAnswer.kind} ${r.noAnswer.reason}`)
  return r.answer
}

async function noAnswer (req: Partial<ExchangeRequest> & { url: string }): Promise<Extract<Exchanged, { ok: false }>['noAnswer']> {
  const r = await exchange({ ...base, ...req })
  if (r.ok) throw new Error(`expected no answer, got HTTP ${r.answer.status}`)
  return r.noAnswer
}

t.test('sends method, headers and body; JSON is parsed, other text kept, empty is undefined', async (t) => {
  let reply = { type: 'application/json', body: '{"ok":true}' }
  const { url, seen } = await startPeer(t, (_req, res) => { res.writeHead(201, { 'content-type': reply.type, 'x-two': ['a', 'b'] }); res.end(reply.body) })
  const a = await answered({ url: `${url}/x?y=1`, method: 'PUT', headers: { 'api-key': 'k1234' }, body: '{"id":1}' })
  t.same(a, { status: 201, headers: a.headers, body: { ok: true } })
  t.equal(a.headers['x-two'], 'a, b', 'repeated headers are one string')
  t.match(seen[0], { method: 'PUT', url: '/x?y=1', body: '{"id":1}', headers: { 'api-key': 'k1234', accept: 'application/json', 'user-agent': 'enerflo-user-sync' } })
  reply = { type: 'text/html', body: `<h1>${'x'.repeat(100)}</h1>` }
  t.equal((await answered({ url })).body, reply.body)
  t.equal((await answered({ url, maxTextLength: 10 })).body, '<h1>xxxxxx…', 'long text is cut when asked')
  reply = { type: 'application/json', body: '' }
  t.equal((await answered({ url })).body, undefined)
})

t.test('credentials the upstream echoes are scrubbed from headers and body, as sent or URL-encoded', async (t) => {
  const secret = 'se+cret/value=1'
  const { url } = await startPeer(t, (_req, res) => {
    res.writeHead(400, { 'x-echo': `key ${secret}` })
    res.end(JSON.stringify({ message: `bad key ${secret}`, form: `client_secret=${encodeURIComponent(secret)}` }))
  })
  const a = await answered({ url, secrets: [secret] })
  t.same(a.body, { message: 'bad key [redacted]', form: 'client_secret=[redacted]' })
  t.equal(a.headers['x-echo'], 'key [redacted]')
  t.notOk(JSON.stringify(a).includes(secret))
  const short = await answered({ url: `${url}/t`, secrets: ['t'] })
  t.match(short.body, { message: /^bad key / }, 'a one-letter stand-in is not a secret worth shredding text for')
})

t.test('no headers within the deadline: a timeout, named for the phase that was cut short', async (t) => {
  const { url } = await startPeer(t, () => { /* never answers */ })
  const n = await noAnswer({ url, timeoutMs: 100 })
  t.match(n, { kind: 'timeout', reason: 'UND_ERR_HEADERS_TIMEOUT' })
  t.ok(n.cause instanceof Error)
})

t.test('a body that trickles past the deadline: a timeout too (one deadline for the whole exchange)', async (t) => {
  const { url } = await startPeer(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write('{"rows":[')
    // Keeps the body open: only the deadline can end this exchange.
    const tick = setInterval(() => res.write(' '), 20)
    res.on('close', () => clearInterval(tick))
  })
  // Long enough for the headers to arrive on a busy machine; the body never ends, so it expires.
  t.match(await noAnswer({ url, timeoutMs: 1000 }), { kind: 'timeout', reason: 'UND_ERR_BODY_TIMEOUT' })
})

t.test('refused, reset and a request that cannot be built are told apart', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const addr = s.address()
      s.close(() => { resolve(typeof addr === 'object' && addr !== null ? addr.port : 0) })
    })
  })
  t.match(await noAnswer({ url: `http://127.0.0.1:${port}/` }), { kind: 'refused', reason: 'ECONNREFUSED', detail: /ECONNREFUSED/ })
  const { url } = await startPeer(t, (req) => { req.socket.destroy() })
  t.match(await noAnswer({ url }), { kind: 'reset' })
  t.match(await noAnswer({ url: 'not a url/x' }), { kind: 'invalid' })
  t.match(await noAnswer({ url, headers: { 'x-bad': 'a\r\nb' } }), { kind: 'invalid' }, 'a header undici refuses')
})

t.test('every body is read: a one-connection pool keeps working after large error pages', async (t) => {
  const one = new Agent({ connections: 1 })
  t.teardown(() => one.close())
  let n = 0
  const { url } = await startPeer(t, (_req, res) => {
    n++
    if (n <= 3) { res.writeHead(500); res.end(`<html>${'e'.repeat(256 * 1024)}</html>`); return }
    res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"done":true}')
  })
  for (let i = 0; i < 3; i++) t.equal((await answered({ url, dispatcher: one })).status, 500)
  t.same((await answered({ url, dispatcher: one })).body, { done: true })
})
