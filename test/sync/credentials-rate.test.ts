import t from 'tap'
import { runChecks } from '../../src/sync/credentials.js'
import { UpstreamError } from '../../src/errors.js'

t.test('a check the Okta limiter held back (or Okta throttled) is not a bad credential: nothing is held', async (t) => {
  for (const status of [0, 429]) {
    const [r] = await runChecks([{
      name: 'okta',
      origin: 'https://acme.okta.com',
      run: async () => { throw new UpstreamError('OKTA_RATE_LIMITED', "holding back for GET users: the service's share (OKTA_RATE_LIMIT_FRACTION) of Okta's users limit is used for this window", { status, transient: true, retryAfterMs: 20_000 }) }
    }])
    t.match(r, { name: 'okta', ok: false, blocking: false, code: 'OKTA_RATE_LIMITED', fix: /rate limited just now.*checked again/ }, `status ${status}`)
    t.notMatch(r?.fix, /check the URL/, 'and not sent to check the URL')
  }
})
