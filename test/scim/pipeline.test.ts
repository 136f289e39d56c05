/**
 * SCIM through the whole pipeline against real Redis and the Enerflo simulator: a pushed user and
 * its groups reach Enerflo by the mapping file (links by email, no create), a PATCH of the phone
 * follows, a group membership change moves the roles, a deactivation and a delete land.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { startHarness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'

const token = randomBytes(24).toString('hex')
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

t.test('a SCIM user reaches Enerflo, and its changes follow', async (t) => {
  // Okta has nobody here: Enerflo's users are matched by SCIM alone.
  const h = await startHarness(t, { env: { SCIM_TOKEN: token }, oktaUsers: [] })
  // Day one: read Enerflo's users, so a pushed user links to the one with its email.
  const run = await h.app.inject({ method: 'POST', url: '/ops/reconcile', headers: { ...h.ops, 'content-type': 'application/json' }, payload: { source: 'enerflo' } })
  t.equal(run.statusCode, 202)
  const runId = (run.json() as { id: string }).id
  await waitFor('the Enerflo pass', async () => (await h.app.inject({ method: 'GET', url: `/ops/reconcile/${runId}`, headers: h.ops })).json().state, (s) => s !== 'running', 20_000)
  const send = async (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET', url: string, payload?: unknown): Promise<{ status: number, body: Record<string, unknown> }> => {
    const res = await h.app.inject({ method, url: `/scim/v2${url}`, headers: auth, ...(payload !== undefined && { payload: JSON.stringify(payload) }) })
    return { status: res.statusCode, body: res.body === '' ? {} : res.json() }
  }
  const created = await send('POST', '/Users', {
    schemas: [USER], userName: 'rep@example.com', externalId: '00urep', active: true,
    name: { givenName: 'Rey', familyName: 'Pep' }, emails: [{ value: 'rep@example.com', type: 'work', primary: true }],
    phoneNumbers: [{ value: '480-555-0199', type: 'mobile' }], password: 'never-kept'
  })
  t.equal(created.status, 201)
  t.notOk('password' in created.body, 'the password is not echoed (nor stored)')
  const id = created.body['id'] as string
  const reps = await send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Reps', members: [{ value: id }] })
  t.equal(reps.status, 201)
  const phx = await send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Phoenix', members: [] })
  await send('PATCH', `/Groups/${phx.body['id'] as string}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ value: id }] }] })

  // Enerflo user 502 has rep@example.com: linked by email, not created.
  const rep = await waitFor('502 to match', () => h.enerflo.user(502), (u) => u?.first_name === 'Rey' && u.phone === '4805550199')
  t.same(rep?.roles, ['Sales Rep'])
  t.same(rep?.office_ids, [101])
  t.equal(h.enerflo.users().length, 4, 'nobody was created')

  const setters = await send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Setters', members: [] })
  await send('PATCH', `/Groups/${setters.body['id'] as string}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] })
  await send('PATCH', `/Groups/${reps.body['id'] as string}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] })
  await waitFor('the roles to follow the groups', () => h.enerflo.user(502), (u) => JSON.stringify(u?.roles) === JSON.stringify(['Setter']))

  const off = await send('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })
  t.equal(off.status, 200)
  t.equal(off.body['active'], false)
  await waitFor('the deactivation', () => h.enerflo.user(502), (u) => u?.active === false)

  const on = await send('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] })
  t.equal(on.status, 200)
  await waitFor('the reactivation', () => h.enerflo.user(502), (u) => u?.active === true)

  t.equal((await send('DELETE', `/Users/${id}`)).status, 204)
  await waitFor('the delete to deactivate', () => h.enerflo.user(502), (u) => u?.active === false)
  t.equal((await send('GET', `/Users/${id}`)).status, 404)
})

t.test('CREATE_USERS: a pushed user Enerflo lacks is created, with its SCIM manager\'s email', async (t) => {
  const h = await startHarness(t, { env: { SCIM_TOKEN: token, CREATE_USERS: 'true' }, oktaUsers: [] })
  const run = await h.app.inject({ method: 'POST', url: '/ops/reconcile', headers: { ...h.ops, 'content-type': 'application/json' }, payload: { source: 'enerflo' } })
  const runId = (run.json() as { id: string }).id
  await waitFor('the Enerflo pass', async () => (await h.app.inject({ method: 'GET', url: `/ops/reconcile/${runId}`, headers: h.ops })).json().state, (s) => s !== 'running', 20_000)
  const post = async (url: string, body: unknown): Promise<Record<string, unknown>> =>
    (await h.app.inject({ method: 'POST', url: `/scim/v2${url}`, headers: auth, payload: JSON.stringify(body) })).json()
  const boss = await post('/Users', { schemas: [USER], userName: 'boss@example.com', name: { givenName: 'Bo', familyName: 'Ss' }, emails: [{ value: 'boss@example.com', type: 'work' }] })
  const hire = await post('/Users', { schemas: [USER], userName: 'fresh@example.com', name: { givenName: 'Fresh', familyName: 'Hire' }, emails: [{ value: 'fresh@example.com', type: 'work' }] })
  // Entra sends the manager as a bare id (the issue686 sample's form).
  const patched = await h.app.inject({
    method: 'PATCH', url: `/scim/v2/Users/${hire['id'] as string}`, headers: auth,
    payload: JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: boss['id'] }] })
  })
  t.equal(patched.statusCode, 200)
  await post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Reps', members: [{ value: hire['id'] }] })
  const created = await waitFor('the new hire created in Enerflo', () => h.enerflo.users().find((u) => u.email === 'fresh@example.com'), (u) => u !== undefined && JSON.stringify(u.roles) === JSON.stringify(['Sales Rep']))
  t.equal(created?.first_name, 'Fresh')
  t.equal(h.enerflo.creates().length, 1, 'only the one Enerflo lacked was created; the boss linked by email')
  t.equal((h.enerflo.creates()[0]?.body as { manager_email?: string } | undefined)?.manager_email, 'boss@example.com', 'manager_email is the SCIM manager\'s work email')
})
