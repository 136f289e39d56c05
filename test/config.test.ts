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
  t.throws(() => loadConfig({ OKTA_ORG_URL: 'https://x.okta.com', ENERFLO_API_KEY: secret() }), /OKTA_API_TOKEN must be set/)
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

t.test('a half-configured provider reports every missing part once, in one message', async (t) => {
  const only = (env: Record<string, string>): string => (t.throws(() => loadConfig(env)) as Error).message
  const okta = only({ OKTA_ORG_URL: 'https://acme.okta.com' })
  for (const name of ['OKTA_API_TOKEN must be set', 'OKTA_WEBHOOK_SECRET must be set', 'ENERFLO_API_KEY must be set']) {
    t.equal(okta.split(name).length - 1, 1, `${name}: reported once`)
  }
  const graph = only({ GRAPH_TENANT_ID: '11111111-2222-4333-8444-555555555555' })
  t.match(graph, /GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET must be set together/)
  t.match(graph, /ENERFLO_API_KEY must be set/, 'the missing Enerflo key is reported with the Graph problems, not after them')
  const role = only({ SERVICE_ROLE: 'both' })
  t.equal(role.split('SERVICE_ROLE').length - 1, 1, 'an invalid SERVICE_ROLE is reported once')
  const ssws = only({ OKTA_ORG_URL: 'https://acme.okta.com', OKTA_API_TOKEN: `SSWS ${secret()}`, OKTA_WEBHOOK_SECRET: secret(), ENERFLO_API_KEY: secret() })
  t.match(ssws, /OKTA_API_TOKEN: leave out the "SSWS " prefix/)
  t.notMatch(ssws, /SSWS [A-Za-z0-9_-]{8}/, 'and the token is not shown')
})

t.test('OKTA_RATE_LIMIT_FRACTION: 0.5 by default, any share above 0 up to 1, anything else refused', async (t) => {
  t.equal(loadConfig({}).OKTA_RATE_LIMIT_FRACTION, 0.5)
  t.equal(loadConfig({ OKTA_RATE_LIMIT_FRACTION: '0.25' }).OKTA_RATE_LIMIT_FRACTION, 0.25)
  t.equal(loadConfig({ OKTA_RATE_LIMIT_FRACTION: '1' }).OKTA_RATE_LIMIT_FRACTION, 1)
  t.equal(loadConfig({ OKTA_RATE_LIMIT_FRACTION: '.8' }).OKTA_RATE_LIMIT_FRACTION, 0.8)
  for (const bad of ['0', '-0.1', '1.5', 'half', '50%']) {
    t.throws(() => loadConfig({ OKTA_RATE_LIMIT_FRACTION: bad }), /OKTA_RATE_LIMIT_FRACTION/, `refuses ${bad}`)
  }
})
