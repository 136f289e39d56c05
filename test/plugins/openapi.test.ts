import t from 'tap'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import { startGraphHarness } from '../helpers/graph-harness.js'

// Probes and the status page have no 4xx by design (README, "The API document").
const JUSTIFIED = new Set(['operation-4xx-response #/paths/~1healthz/get/responses', 'operation-4xx-response #/paths/~1readyz/get/responses', 'operation-4xx-response #/paths/~1ops/get/responses'])

t.test('the served OpenAPI document passes Redocly\'s recommended rules, and says who may call what', async (t) => {
  const h = await startGraphHarness(t, {})
  const res = await h.app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const config = await createConfig({ extends: ['recommended'] })
  const problems = await lintFromString({ source: res.body, absoluteRef: 'openapi.json', config })
  const found = problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}`)
  t.same(found.filter((p) => !JUSTIFIED.has(p)), [], 'no problem but the justified ones')

  const doc = res.json() as { paths: Record<string, Record<string, { security?: unknown[], responses: Record<string, { content?: Record<string, unknown> }>, requestBody?: { content: Record<string, unknown> } }>> }
  t.same(doc.paths['/ops/failed']?.['get']?.security, [{ ops: [] }], 'operator routes send the bearer token')
  t.same(doc.paths['/status']?.['get']?.security, [{ ops: [] }])
  t.same(doc.paths['/webhooks/okta']?.['post']?.security, [{ oktaSecret: [] }], 'the Okta receiver its header secret')
  t.same(doc.paths['/webhooks/graph']?.['post']?.security, [], 'Graph is open: each item proves itself by clientState')
  t.same(Object.keys(doc.paths['/webhooks/okta']?.['post']?.responses['200']?.content ?? {}), ['text/plain'], 'the Okta 200 is documented as the text it is')
  t.same(Object.keys(doc.paths['/ops/links/import']?.['post']?.requestBody?.content ?? {}).sort(), ['application/json', 'text/csv'], 'the import takes CSV too')

  const okta = await h.app.inject({ method: 'POST', url: '/webhooks/graph', headers: { 'content-type': 'application/json' }, payload: { value: [{ subscriptionId: 's', clientState: 'not ours' }] } })
  t.equal(okta.statusCode, 202)
  t.match(okta.headers['content-type'], /^text\/plain/, 'and what is sent matches the document')
})
