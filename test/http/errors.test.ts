import t from 'tap'
import { Agent } from 'undici'
import { UpstreamError } from '../../src/errors.js'
import { usePool } from '../../src/http/dispatcher.js'
import { answerError, isSuccess, noAnswerError, unexpectedAnswer } from '../../src/http/errors.js'
import { exchange } from '../../src/http/exchange.js'
import { startPeer } from './peer.js'

t.test('the typed error carries what the answer said, or status 0 when there was none', async (t) => {
  const { url } = await startPeer(t, (_req, res) => { res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '3' }); res.end('{"error":"busy"}') })
  const pool = usePool(undefined)
  t.teardown(pool.close)
  const r = await exchange({ method: 'GET', url, dispatcher: pool.dispatcher, timeoutMs: 2000 })
  if (!r.ok) throw new Error('expected an answer')
  t.equal(isSuccess(r.answer), false)
  const err = answerError('OKTA_UNAVAILABLE', 'Okta answered 503', r.answer, { transient: true, retryAfterMs: 3000 })
  t.ok(err instanceof UpstreamError)
  t.match(err, { code: 'OKTA_UNAVAILABLE', status: 503, transient: true, retryAfterMs: 3000, body: { error: 'busy' }, headers: { 'retry-after': '3' } })
  t.match(unexpectedAnswer('GRAPH_HTTP', 'Graph', r.answer, 'for GET user'), { message: 'unexpected answer from Graph for GET user', status: 503, transient: false })
  t.match(unexpectedAnswer('GRAPH_HTTP', 'Graph', undefined, 'for GET user'), { status: 0, headers: {} })

  const cause = new Error('connect ECONNREFUSED')
  const refused = { kind: 'refused', reason: 'ECONNREFUSED', detail: cause.message, cause } as const
  t.match(noAnswerError('ENERFLO_UNAVAILABLE', 'Could not reach Enerflo', refused), { status: 0, transient: true, cause })
  t.match(noAnswerError('ENERFLO_HTTP', 'check ENERFLO_BASE_URL', { ...refused, kind: 'invalid' }), { transient: false }, 'a request that cannot be built is not retried')
})

t.test('a client closes the pool it made, never one it was given', async (t) => {
  const given = new Agent()
  t.teardown(() => given.close())
  const shared = usePool(given)
  t.equal(shared.dispatcher, given)
  await shared.close()
  t.equal(given.closed, false)
  const own = usePool(undefined)
  await own.close()
  t.equal((own.dispatcher as Agent).closed, true)
})
