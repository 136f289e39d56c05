import t from 'tap'
import { loadConfig } from '../src/config.js'
import { secret } from './helpers/harness.js'

t.test('no environment: defaults and sandbox mode', async (t) => {
  const c = loadConfig({})
  t.equal(c.sandbox, true)
  t.equal(c.PORT, 3000)
  t.equal(c.REDIS_URL, 'redis://127.0.0.1:6379')
  t.equal(c.ENERFLO_RATE_LIMIT_MAX, 300)
  t.equal(c.okta, undefined)
})

t.test('every problem is listed in one message, and secrets are never shown', async (t) => {
  const token = secret()
  const err = t.throws(() => loadConfig({
    PORT: 'abc', SERVICE_ROLE: 'both', ENERFLO_RATE_LIMIT_MAX: '0', OKTA_ORG_URL: 'ftp://x', OKTA_API_TOKEN: token, OPS_TOKEN: 'short-' + token.slice(0, 4), OKTA_WEBHOOK_HEADER: 'bad header'
  })) as Error & { code: string }
  t.equal(err.code, 'CONFIG_INVALID')
  for (const name of ['PORT', 'SERVICE_ROLE', 'ENERFLO_RATE_LIMIT_MAX', 'OKTA_ORG_URL', 'OPS_TOKEN', 'OKTA_WEBHOOK_HEADER', 'OKTA_WEBHOOK_SECRET', 'ENERFLO_API_KEY']) {
    t.match(err.message, name, `names ${name}`)
  }
  t.match(err.message, '"all", "api", "worker"', 'lists the choices')
  t.notMatch(err.message, token)
  t.notMatch(err.message, token.slice(0, 4))
})

t.test('a provider without an Enerflo key refuses to start', async (t) => {
  t.throws(() => loadConfig({ OKTA_ORG_URL: 'https://x.okta.com', OKTA_API_TOKEN: secret(), OKTA_WEBHOOK_SECRET: secret() }), /ENERFLO_API_KEY must be set/)
})

t.test('half an Okta configuration, and short webhook secrets, are refused', async (t) => {
  t.throws(() => loadConfig({ OKTA_ORG_URL: 'https://x.okta.com', ENERFLO_API_KEY: secret() }), /set together/)
  t.throws(() => loadConfig({ OKTA_WEBHOOK_SECRET: 'short' }), /at least 16/)
})

t.test('a full live configuration', async (t) => {
  const c = loadConfig({
    OKTA_ORG_URL: 'https://x.okta.com/', OKTA_API_TOKEN: secret(), OKTA_WEBHOOK_SECRET: secret(), OKTA_WEBHOOK_SECRET_PREVIOUS: secret(),
    ENERFLO_API_KEY: secret(), PORT: ' 8080 ', SERVICE_ROLE: 'worker', QUEUE_PREFIX: '{sync}', REDIS_URL: ''
  })
  t.equal(c.sandbox, false)
  t.equal(c.okta?.orgUrl, 'https://x.okta.com', 'trailing slash removed')
  t.equal(c.oktaWebhookSecrets.length, 2)
  t.equal(c.PORT, 8080)
  t.equal(c.REDIS_URL, 'redis://127.0.0.1:6379', 'an empty value counts as unset')
})
