import t from 'tap'
import { startHarness, delivery } from '../helpers/harness.js'
import { createAuthGuard } from '../../src/auth-guard.js'
import { AUTH_FAILURES_MAX } from '../../plugins/core/auth-failures.js'

t.test('the guard counts failures per address in a sliding window, and forgets old addresses', async (t) => {
  let now = 0
  const guard = createAuthGuard({ max: 3, windowMs: 1000, maxAddresses: 2, now: () => now })
  t.same([guard.fail('a'), guard.fail('a'), guard.fail('a')], [0, 0, 0])
  t.equal(guard.fail('a'), 1000, 'the fourth failure in the window waits for the oldest to expire')
  now = 1001
  t.equal(guard.fail('a'), 0, 'old failures leave the window')
  guard.fail('b'); guard.fail('c')
  t.same([guard.fail('a'), guard.fail('a'), guard.fail('a')], [0, 0, 0], 'a was evicted as the least recent address')
})

t.test('failed authentication is throttled per address; the right secret always passes', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  const post = async (authorization: string, remoteAddress = '10.9.8.7') => await h.app.inject({
    method: 'POST', url: '/webhooks/okta', remoteAddress, headers: { 'content-type': 'application/json', authorization }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep' }])
  })
  for (let i = 0; i < AUTH_FAILURES_MAX; i++) {
    const res = await post('wrong')
    if (res.statusCode !== 401) t.fail(`failure ${i + 1} answered ${res.statusCode}`)
  }
  const throttled = await post('wrong')
  t.equal(throttled.statusCode, 429)
  t.equal(throttled.json().code, 'AUTH_RATE_LIMITED')
  t.ok(Number(throttled.headers['retry-after']) >= 1)
  t.equal((await post(h.webhookSecret)).statusCode, 200, 'the provider, from the same address, is never limited')
  t.equal((await post('wrong', '10.1.1.1')).statusCode, 401, 'another address is not affected')
  const ops = await h.app.inject({ method: 'GET', url: '/status', remoteAddress: '10.9.8.7', headers: { authorization: 'Bearer nope' } })
  t.equal(ops.statusCode, 429, 'operator routes share the count')
  t.equal((await h.app.inject({ method: 'GET', url: '/status', remoteAddress: '10.9.8.7', headers: h.ops })).statusCode, 200)
  const status = (await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).json()
  t.equal(status.sources.okta.rejected['auth-throttled'], 1)
})
