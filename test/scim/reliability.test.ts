/**
 * What SCIM must never do: lose an accepted write (a write whose job was not stored is queued by
 * the sweep), answer 2xx for something not stored (Redis down: a SCIM 503), or let a mass
 * deactivation through past the brake.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { startHarness, type Harness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import type { SandboxUser } from '../../src/simulators/enerflo/sandbox.js'

const token = randomBytes(24).toString('hex')
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const MAPPING = {
  identity: { scim: { enerfloUserIdAttribute: `${ENTERPRISE}:employeeNumber` } },
  roles: [{ group: 'Reps', roles: ['Sales Rep'] }],
  offices: [{ group: 'Phoenix', officeId: 101 }]
}
const enerflo = (n: number): SandboxUser[] => Array.from({ length: n }, (_, i) => ({
  id: 700 + i, first_name: 'Stale', last_name: 'User', email: `p${i}@example.com`, active: true, roles: ['Sales Rep'], office_ids: [101], surveys: 0, appointments: 0
}))
const person = (i: number): Record<string, unknown> => ({
  schemas: [USER, ENTERPRISE], userName: `p${i}@example.com`, name: { givenName: `P${i}`, familyName: 'User' },
  emails: [{ value: `p${i}@example.com`, type: 'work' }], [ENTERPRISE]: { employeeNumber: String(700 + i) }
})

async function post (h: Harness, body: unknown): Promise<{ status: number, id: string }> {
  const res = await h.app.inject({ method: 'POST', url: '/scim/v2/Users', headers, payload: JSON.stringify(body) })
  return { status: res.statusCode, id: res.statusCode === 201 ? (res.json() as { id: string }).id : '' }
}

t.test('a write whose sync job was never stored is queued by the sweep', async (t) => {
  const h = await startHarness(t, { env: { SCIM_TOKEN: token, SCIM_SWEEP_MS: '200' }, oktaUsers: [], enerfloUsers: enerflo(1), mapping: MAPPING })
  // Straight into the store, as when the process died between the store and the queue.
  const attrs = { userName: 'p0@example.com', name: { givenName: 'Swept', familyName: 'User' }, [ENTERPRISE]: { employeeNumber: '700' } }
  const written = await h.app.scimStore.putUser(undefined, attrs, { userName: 'p0@example.com', emails: [] })
  t.ok(written.ok)
  t.equal((await h.app.scimStore.counts()).dirty, 1, 'the write is marked until its job is stored')
  await waitFor('the swept user in Enerflo', () => h.enerflo.user(700), (u) => u?.first_name === 'Swept')
  await waitFor('the mark to clear', async () => (await h.app.scimStore.counts()).dirty, (n) => n === 0)
})

t.test('with Redis down a SCIM write is a SCIM 503, never a 2xx', async (t) => {
  const h = await startHarness(t, { env: { SCIM_TOKEN: token }, oktaUsers: [], enerfloUsers: enerflo(1), mapping: MAPPING })
  await h.redis.stop()
  const res = await h.app.inject({ method: 'POST', url: '/scim/v2/Users', headers, payload: JSON.stringify(person(0)) })
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], /application\/scim\+json/)
  t.match(res.json(), { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' })
  await h.redis.start()
})

t.test('a mass SCIM deactivation stops at the brake, and the rest of each change goes through', async (t) => {
  const USERS = 12
  const h = await startHarness(t, {
    env: { SCIM_TOKEN: token, BRAKE_MAX_PERCENT: '10', BRAKE_MIN_USERS: '3' }, oktaUsers: [], enerfloUsers: enerflo(USERS), mapping: MAPPING
  })
  const ids: string[] = []
  for (let i = 0; i < USERS; i++) {
    const created = await post(h, person(i))
    t.equal(created.status, 201)
    ids.push(created.id)
  }
  await waitFor('every user linked and synced', () => h.enerflo.users().filter((u) => (u.first_name ?? '').startsWith('P')).length, (n) => n === USERS)
  for (const [i, id] of ids.entries()) {
    const res = await h.app.inject({
      method: 'PATCH', url: `/scim/v2/Users/${id}`, headers,
      payload: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }, { op: 'replace', path: 'name.familyName', value: `Left${i}` }] })
    })
    t.equal(res.statusCode, 200)
  }
  await waitFor('every other change applied', () => h.enerflo.users().filter((u) => (u.last_name ?? '').startsWith('Left')).length, (n) => n === USERS)
  const inactive = h.enerflo.users().filter((u) => !u.active).length
  t.equal(inactive, 3, 'deactivations stop at the brake\'s limit (3 of 12 linked)')
  const holds = (await h.app.inject({ method: 'GET', url: '/ops/holds', headers: h.ops })).json() as { holds: Array<{ users: Array<{ userKey: string }> }> }
  t.equal(holds.holds[0]?.users.length, USERS - 3, 'the rest wait in the hold')
  t.ok(holds.holds[0]?.users.every((u) => u.userKey.startsWith('scim:')))
})
