import t from 'tap'
import { randomUUID } from 'node:crypto'
import { loadConfig } from '../../src/config.js'
import { secret } from '../helpers/harness.js'

const graphEnv = (): Record<string, string> => ({ GRAPH_TENANT_ID: randomUUID(), GRAPH_CLIENT_ID: randomUUID(), GRAPH_CLIENT_SECRET: secret(), GRAPH_CLIENT_STATE: secret() })

t.test('Graph configured without an Enerflo key refuses to start (never into the simulator)', async (t) => {
  t.throws(() => loadConfig(graphEnv()), /ENERFLO_API_KEY must be set/)
})

t.test('a full Graph configuration', async (t) => {
  const env: Record<string, string> = { ...graphEnv(), ENERFLO_API_KEY: secret(), GRAPH_CLIENT_STATE_PREVIOUS: secret(), PUBLIC_URL: 'https://sync.example.com/' }
  const c = loadConfig(env)
  t.equal(c.sandbox, false)
  t.equal(c.okta, undefined)
  t.match(c.graph, { tenantId: env.GRAPH_TENANT_ID, apiUrl: 'https://graph.microsoft.com', loginUrl: 'https://login.microsoftonline.com', publicUrl: 'https://sync.example.com', checkEveryMs: 3_600_000 })
  t.same(c.graph?.clientStates, [env.GRAPH_CLIENT_STATE, env.GRAPH_CLIENT_STATE_PREVIOUS])
  t.equal(loadConfig({ ENERFLO_API_KEY: secret() }).graph, undefined, 'unset: Graph is off')
})

t.test('half a Graph configuration, bad client states and a plain-http PUBLIC_URL are refused, secrets hidden', async (t) => {
  const s = secret()
  const err = t.throws(() => loadConfig({ ENERFLO_API_KEY: secret(), GRAPH_TENANT_ID: randomUUID(), GRAPH_CLIENT_SECRET: s, GRAPH_CLIENT_STATE: 'short', GRAPH_CLIENT_STATE_PREVIOUS: 'x'.repeat(129), PUBLIC_URL: 'http://sync.example.com' })) as Error
  t.match(err.message, /set together/)
  t.match(err.message, /GRAPH_CLIENT_STATE: must be 16 to 128/)
  t.match(err.message, /GRAPH_CLIENT_STATE_PREVIOUS: must be 16 to 128/)
  t.match(err.message, /PUBLIC_URL: Graph only delivers to https/)
  t.notMatch(err.message, s)
  t.throws(() => loadConfig({ ...graphEnv(), ENERFLO_API_KEY: secret(), GRAPH_CLIENT_STATE: '' }), /GRAPH_CLIENT_STATE must be set/)
  t.doesNotThrow(() => loadConfig({ ...graphEnv(), ENERFLO_API_KEY: secret(), PUBLIC_URL: 'http://127.0.0.1:3000' }), 'plain http on this machine is allowed')
})
