import t from 'tap'
import { startHarness } from '../helpers/harness.js'

t.test('GET /ops/links lists every link as JSON or CSV, and the CSV imports back unchanged', async (t) => {
  const h = await startHarness(t)
  const get = async (query = '', headers: Record<string, string> = h.ops) => await h.app.inject({ method: 'GET', url: `/ops/links${query}`, headers })

  t.equal((await get('', {})).statusCode, 401, 'the token is needed')
  const none = await get()
  t.same(none.json(), { total: 0, links: [] }, 'no links yet')
  t.equal((await get('?format=csv')).body, 'source,idp_user_id,enerflo_user_id\n', 'an empty export is the header alone')

  // Stored behind the routes' back: this test is about listing, not about what PUT checks.
  for (const [key, id] of [['okta:00usetter', 503], ['okta:00uboss', 501], ['okta:00urep', 502], ['graph:aad-7', 901], ['okta:00unolink', 504]] as const) {
    t.same(await h.app.store.link(key, id), { ok: true })
  }
  const all = await get()
  t.equal(all.statusCode, 200)
  t.match(all.headers['content-type'], /^application\/json/)
  t.same(all.json(), {
    total: 5,
    links: [
      { source: 'graph', idpUserId: 'aad-7', enerfloUserId: 901, userKey: 'graph:aad-7' },
      { source: 'okta', idpUserId: '00uboss', enerfloUserId: 501, userKey: 'okta:00uboss' },
      { source: 'okta', idpUserId: '00unolink', enerfloUserId: 504, userKey: 'okta:00unolink' },
      { source: 'okta', idpUserId: '00urep', enerfloUserId: 502, userKey: 'okta:00urep' },
      { source: 'okta', idpUserId: '00usetter', enerfloUserId: 503, userKey: 'okta:00usetter' }
    ]
  }, 'ordered by source, then provider id')
  const page = (await get('?offset=1&limit=2')).json()
  t.equal(page.total, 5, 'the total counts every link, not the page')
  t.same(page.links.map((l: { userKey: string }) => l.userKey), ['okta:00uboss', 'okta:00unolink'])
  t.same((await get('?source=graph')).json(), { total: 1, links: [{ source: 'graph', idpUserId: 'aad-7', enerfloUserId: 901, userKey: 'graph:aad-7' }] })
  t.equal((await get('?source=ldap')).statusCode, 400, 'an unknown source is a 400')
  t.equal((await get('?format=xml')).statusCode, 400)
  t.equal((await get('?limit=0')).statusCode, 400)

  const csv = await get('?format=csv')
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /^text\/csv/)
  t.match(csv.headers['content-disposition'], /attachment; filename="links\.csv"/)
  t.equal(csv.body, 'source,idp_user_id,enerflo_user_id\ngraph,aad-7,901\nokta,00uboss,501\nokta,00unolink,504\nokta,00urep,502\nokta,00usetter,503\n',
    'exactly the import format, every link (no paging unless asked)')
  t.equal((await get('?format=csv&source=okta&limit=2')).body, 'source,idp_user_id,enerflo_user_id\nokta,00uboss,501\nokta,00unolink,504\n', 'filters and paging apply to CSV when given')

  const back = await h.app.inject({ method: 'POST', url: '/ops/links/import?dryRun=true', headers: { ...h.ops, 'content-type': 'text/csv' }, payload: csv.body })
  t.equal(back.statusCode, 200, back.body)
  const report = back.json() as { accepted: number, rejected: unknown[], rows: Array<{ row: number, action: string }> }
  t.equal(report.rows.length, 5, 'one row per exported link')
  t.same(report.rows.map((r) => r.action), ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged'], 'every row is unchanged')
  t.equal(report.accepted, 0)
  t.same(report.rejected, [])

  const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json()
  const op = doc.paths['/ops/links'].get
  t.same(op.security, [{ ops: [] }], 'documented as needing the ops token')
  t.same(Object.keys(op.responses['200'].content).sort(), ['application/json', 'text/csv'], 'both answers documented')
  t.ok(op.responses['400'] ?? op.responses['4XX'], 'and its errors')
})
