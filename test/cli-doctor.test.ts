/**
 * The `doctor` command against a real service (real Redis, the simulators over HTTP): each check
 * with its fix, exit 1 while one fails and 0 once every credential works; a wrong Okta token and a
 * wrong Graph client secret (the local Graph peer refuses it as Entra does, invalid_client).
 */
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { main } from '../src/cli/main.js'
import { startHarness } from './helpers/harness.js'
import { startGraphHarness } from './helpers/graph-harness.js'

async function cli (argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await main(argv, { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } }, env })
  return { code, out, err }
}

async function urlOf (app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const addr = app.server.address()
  return `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
}

t.test('doctor prints every check with its fix and exits 1 while one fails', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  const token = h.config.OPS_TOKEN ?? ''
  const good = await cli(['doctor', '--url', await urlOf(h.app)], { OPS_TOKEN: token })
  t.equal(good.code, 0, good.err)
  t.match(good.out, /^ok {4}okta {5}checked \d{4}-\d\d-\d\dT[\d:.]+Z\nok {4}enerflo {2}checked .*\n\nevery credential works\n$/)

  const bad = await h.buildAnother({ OKTA_API_TOKEN: 'wrong-okta-token-4411' })
  const badUrl = await urlOf(bad)
  const run = await cli(['doctor', '--url', badUrl], { OPS_TOKEN: token })
  t.equal(run.code, 1, 'a failing check is exit 1')
  t.match(run.out, /FAIL {2}okta {5}OKTA_HTTP 401 \(events wait until it is fixed\)\n {4}fix: OKTA_API_TOKEN is refused: create a new API token in Okta \(Security → API → Tokens\)/)
  t.match(run.out, /ok {4}enerflo/)
  t.match(run.out, /1 of 2 credential check\(s\) failed\n$/)
  t.notMatch(run.out, /wrong-okta-token-4411/, 'the token itself is never printed')

  const json = await cli(['doctor', '--json', '--url', badUrl], { OPS_TOKEN: token })
  t.equal(json.code, 1)
  t.match(JSON.parse(json.out), { ok: false, checks: [{ name: 'okta', ok: false, status: 401, blocking: true }, { name: 'enerflo', ok: true }] })
})

t.test('a wrong Graph client secret: POST /ops/doctor and doctor show the failing Graph check with its fix', async (t) => {
  const h = await startGraphHarness(t, { role: 'api', noPublicUrl: true })
  const token = h.config.OPS_TOKEN ?? ''
  const good = await cli(['doctor', '--url', await urlOf(h.app)], { OPS_TOKEN: token })
  t.equal(good.code, 0, good.err)
  t.match(good.out, /^ok {4}graph {4}checked /m, 'the right secret passes')

  const wrong = 'wrong-graph-secret-7731'
  const bad = await h.buildAnother({ GRAPH_CLIENT_SECRET: wrong })
  const reply = await bad.inject({ method: 'POST', url: '/ops/doctor', headers: h.ops })
  t.equal(reply.statusCode, 200)
  const body = reply.json<{ ok: boolean, checks: Array<{ name: string, ok: boolean, blocking: boolean, fix: string, code?: string, status?: number }> }>()
  t.equal(body.ok, false, 'the route says a check failed')
  const graph = body.checks.find((c) => c.name === 'graph')
  t.match(graph, { ok: false, status: 401, blocking: true, code: 'GRAPH_HTTP' }, 'Graph\'s login endpoint refused the secret')
  t.match(graph?.fix, /check GRAPH_CLIENT_SECRET: create a new client secret under App registrations → the app → Certificates & secrets/, 'the fix names the variable and where to make a new one')
  t.match(graph?.fix, /\[invalid_client\]$/, 'with the error code Entra gave')
  t.match(body.checks.filter((c) => c.name !== 'graph'), [{ name: 'okta', ok: true }, { name: 'enerflo', ok: true }], 'the other credentials still pass')

  const run = await cli(['doctor', '--url', await urlOf(bad)], { OPS_TOKEN: token })
  t.equal(run.code, 1, 'a failing check is exit 1')
  t.match(run.out, /^FAIL {2}graph {4}GRAPH_HTTP 401 \(events wait until it is fixed\)\n {4}fix: the Entra app is refused \(check GRAPH_CLIENT_SECRET: /m)
  t.match(run.out, /1 of 3 credential check\(s\) failed\n$/)
  t.notMatch(run.out + reply.body, wrong, 'the secret itself is never printed')
  t.notMatch(run.out + reply.body, h.config.graph?.clientSecret ?? '(none)', 'nor the right one')
})
