import t from 'tap'
import { startHarness } from '/work/main/test/helpers/harness.js'
const token = 'x'.repeat(40)
t.test('dbg', async (t) => {
  const h = await startHarness(t, { env: { SCIM_TOKEN: token } })
  const res = await h.app.inject({ method: 'POST', url: '/scim/v2/Users', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, payload: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'rep@example.com', name: { givenName: 'Rey', familyName: 'Pep' }, emails: [{ value: 'rep@example.com', type: 'work' }] }) })
  console.log(res.statusCode, res.body)
  const id = res.json().id
  await new Promise((r) => setTimeout(r, 3000))
  for (const u of [`/ops/users/scim/${id}`, '/ops/failed', '/status']) {
    const r = await h.app.inject({ method: 'GET', url: u, headers: h.ops })
    console.log(u, r.statusCode, r.body.slice(0, 1500))
  }
})
