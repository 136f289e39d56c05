/**
 * The simulator's read and create side over real HTTP: paging, active/inactive passes, slugs in
 * both spellings, reads by id, adding users (and emails that stay taken by deleted users), and
 * one rate limit for reads and writes.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { createEnerfloSandbox, type SandboxOptions, type SandboxUser } from '../../../src/simulators/enerflo/sandbox.js'
import { rolesFromEnerflo } from '../../../src/enerflo/roles.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read whatever JSON came back
interface Answer { status: number, headers: Headers, json: any }
type Call = (method: string, path: string, body?: unknown, key?: string | null) => Promise<Answer>

const user = (id: number, extra: Partial<SandboxUser> = {}): SandboxUser =>
  ({ id, email: `u${id}@example.com`, first_name: `F${id}`, last_name: `L${id}`, active: true, roles: ['Sales Rep'], office_ids: [101], surveys: 0, appointments: 0, ...extra })

async function start (t: { teardown: (fn: () => unknown) => void }, users: SandboxUser[], extra: Partial<SandboxOptions> = {}) {
  const key = randomBytes(12).toString('hex')
  const sb = createEnerfloSandbox({ apiKey: key, users, offices: [101, 102], ...extra })
  const base = await sb.listen()
  t.teardown(() => sb.close())
  const call: Call = async (method, path, body, k) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (k !== null) headers['api-key'] = k ?? key
    const res = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    const text = await res.text()
    let json: unknown
    try { json = JSON.parse(text) } catch { json = text }
    return { status: res.status, headers: res.headers, json }
  }
  return { sb, call }
}

const ids = (a: Answer): number[] => (a.json.results as Array<{ id: number }>).map((r) => r.id)

// 250 active users, 7 inactive ones, 3 deleted ones; ids shuffled so paging must sort.
const directory = (): SandboxUser[] => Array.from({ length: 260 }, (_, i) => {
  const n = i + 1
  return user(2000 + n, n <= 250 ? {} : n <= 257 ? { active: false } : { deleted: true })
}).reverse()

t.test('250 active users at pageSize 100 are 3 pages; inactive and deleted users are not in them', async (t) => {
  const { call } = await start(t, directory())
  const seen: number[] = []
  for (let page = 1; page <= 3; page++) {
    const a = await call('GET', `/api/v3/users?page=${page}&pageSize=100`)
    t.equal(a.status, 200)
    t.match(a.json, { page, pageSize: 100, total: 250, totalPages: 3 })
    t.equal(a.json.results.length, page < 3 ? 100 : 50, `page ${page}`)
    seen.push(...ids(a))
  }
  t.same(seen, Array.from({ length: 250 }, (_, i) => 2001 + i), 'every active user once, ids ascending')
  t.same(ids(await call('GET', '/api/v3/users?page=4&pageSize=100')), [], 'past the last page: no rows')
  const first = await call('GET', '/api/v3/users')
  t.match(first.json, { page: 1, pageSize: 20, totalPages: 13 }, 'pageSize defaults to 20 (Enerflo\'s default is undocumented)')
  t.match((await call('GET', '/api/v3/users?pageSize=500')).json, { pageSize: 200, totalPages: 2 }, 'a page holds at most 200')
  for (const bad of ['page=0', 'page=x', 'pageSize=-1', 'status=all']) {
    const a = await call('GET', `/api/v3/users?${bad}`)
    t.equal(a.status, 422, bad)
    t.equal(a.json.success, false)
  }
})

t.test('status=inactive lists the inactive users only; deleted users never', async (t) => {
  const { call } = await start(t, directory())
  const a = await call('GET', '/api/v3/users?page=1&pageSize=100&status=inactive')
  t.match(a.json, { total: 7, totalPages: 1 })
  t.same(ids(a), [2251, 2252, 2253, 2254, 2255, 2256, 2257])
  t.ok((a.json.results as Array<{ active: boolean, status: string }>).every((r) => !r.active && r.status === 'inactive'))
  t.same(ids(await call('GET', '/api/v3/users?status=active&pageSize=200&page=2')).at(-1), 2250, 'status=active is the default pass')
  const none = await start(t, [])
  t.match((await none.call('GET', '/api/v3/users?status=inactive')).json, { total: 0, totalPages: 1, results: [] }, 'an empty pass still has one page')
})

t.test('rows spell roles as slugs: an array for odd ids, a comma-separated string for even ids', async (t) => {
  const { call } = await start(t, [
    user(7, { roles: ['Sales Rep', 'Setter'], external_user_id: '00u7' }),
    user(8, { roles: ['Sales Rep Manager', 'Regional Manager', 'Company Admin', 'Closer'], phone: '6025550108', manager_email: 'u7@example.com' }),
    user(10, { roles: [] })
  ])
  const rows = (await call('GET', '/api/v3/users?pageSize=100')).json.results
  t.same(rows[0], {
    id: 7, first_name: 'F7', last_name: 'L7', email: 'u7@example.com', phone: null, active: true, status: 'active',
    roles: ['agent', 'setter'], office_ids: [101], manager_email: null, external_user_id: '00u7'
  })
  t.equal(rows[1].roles, 'manager,regionalmanager,company,closer', 'a name the table lacks gets a slug of its own')
  t.match(rows[1], { phone: '6025550108', manager_email: 'u7@example.com', external_user_id: null })
  t.equal(rows[2].roles, '')
  t.same(rolesFromEnerflo(rows[0].roles).roles, ['Sales Rep', 'Setter'], 'both spellings read back to Role Names')
  t.same(rolesFromEnerflo(rows[1].roles), { roles: ['Sales Rep Manager', 'Regional Manager', 'Company Admin', 'closer'], unknown: ['closer'] })

  const custom = await start(t, [user(9, { roles: ['Closer'] })], { roleSlugs: { closer: 'Closer' } })
  t.same((await custom.call('GET', '/api/v3/users/9')).json.data.roles, ['closer'], 'roleSlugs decides the slug')
  t.equal((await custom.call('PUT', '/api/v3/users', { id: 9, roles: ['Closer', 'Setter'] })).status, 200, 'and its names are Role Names for writes')
})

t.test('GET /api/v3/users/{id}: the row under data; 404 when unknown or deleted', async (t) => {
  const { call } = await start(t, [user(5, { active: false }), user(6, { deleted: true })])
  const a = await call('GET', '/api/v3/users/5')
  t.equal(a.status, 200)
  t.match(a.json, { success: true, data: { id: 5, active: false, status: 'inactive', roles: ['agent'] } }, 'inactive users read by id')
  for (const id of ['6', '99', 'abc']) {
    const missing = await call('GET', `/api/v3/users/${id}`)
    t.same([missing.status, missing.json], [404, { success: false, message: `User ${id} not found.` }], id)
  }
  t.equal((await call('PUT', '/api/v3/users', { id: 6, first_name: 'X' })).status, 404, 'a deleted user cannot be updated either')
})

const newHire = { email: 'New.Hire@example.com', roles: ['Sales Rep'], notify_email: false, allow_optimus: false }

t.test('POST /api/v1/users adds a user and answers 201 with its id', async (t) => {
  const { sb, call } = await start(t, [user(5), user(9, { deleted: true })])
  const a = await call('POST', '/api/v1/users', { ...newHire, first_name: 'New', last_name: 'Hire', phone: '(602) 555-0177', external_user_id: '00unew', manager_email: 'u5@example.com', office_id: 102, can_reassign_leads: false })
  t.equal(a.status, 201)
  t.match(a.json, { success: true, data: { id: 10, email: 'New.Hire@example.com', roles: 'agent', office_ids: [102], phone: '6025550177', external_user_id: '00unew', manager_email: 'u5@example.com' } },
    'the next id after every user, the deleted one included')
  t.match((await call('GET', '/api/v3/users/10')).json.data, { first_name: 'New', active: true })
  t.match(sb.creates(), [{ userId: 10, status: 201, body: { notify_email: false } }])
  t.same(sb.requests(), [], 'requests() keeps recording PUTs only')
  const minimal = await call('POST', '/api/v1/users', { email: 'm@example.com', roles: ['Setter'], notify_email: true, allow_optimus: true })
  t.match(minimal.json.data, { id: 11, office_ids: [], first_name: null })
})

t.test('POST /api/v1/users refuses what Enerflo refuses', async (t) => {
  const { sb, call } = await start(t, [user(5), user(6, { email: 'gone@example.com', deleted: true })])
  const empty = await call('POST', '/api/v1/users', {})
  t.equal(empty.status, 422)
  t.same(Object.keys(empty.json.errors).sort(), ['allow_optimus', 'email', 'notify_email', 'roles'])
  for (const email of ['U5@Example.com', 'GONE@example.com']) {
    const taken = await call('POST', '/api/v1/users', { ...newHire, email })
    t.equal(taken.status, 422, email)
    t.match(taken.json.message, 'The email has already been taken.')
    t.same(taken.json.errors.email, ['The email has already been taken.'])
  }
  t.equal((await call('PUT', '/api/v3/users', { id: 5, email: 'gone@example.com' })).json.errors.email[0], 'The email has already been taken.',
    'a deleted user holds its email against updates too')
  const slug = await call('POST', '/api/v1/users', { ...newHire, roles: ['agent'] })
  t.same([slug.status, slug.json.message], [400, 'Invalid role name'])
  const setterWithManager = await call('POST', '/api/v1/users', { ...newHire, roles: ['Setter'], manager_email: 'u5@example.com' })
  t.match(setterWithManager.json.errors.manager_email, [/only allowed for a Sales Rep/])
  const fields = await call('POST', '/api/v1/users', { ...newHire, phone: '123', office_id: 999, notify_email: 'yes', manager_email: 'gone@example.com', roles: [] })
  t.same(Object.keys(fields.json.errors).sort(), ['manager_email', 'notify_email', 'office_id', 'phone', 'roles'])
  t.equal((await call('POST', '/api/v1/users', '[1')).status, 422, 'a JSON string is not a user')
  t.equal(sb.users().length, 2, 'nothing was added')
})

t.test('reads spend the same per-key budget as writes, and are recorded', async (t) => {
  const { sb, call } = await start(t, [user(5)], { rateLimit: { max: 4, windowMs: 60_000 } })
  t.equal((await call('GET', '/api/v3/users', undefined, 'wrong')).status, 401, 'no key, no budget spent')
  const first = await call('GET', '/api/v3/users?page=1&pageSize=100')
  t.equal(first.headers.get('x-ratelimit-remaining'), '3')
  t.equal((await call('GET', '/api/v3/users/5')).headers.get('x-ratelimit-remaining'), '2')
  t.equal((await call('PUT', '/api/v3/users', { id: 5, first_name: 'A' })).headers.get('x-ratelimit-remaining'), '1')
  t.equal((await call('POST', '/api/v1/users', { ...newHire })).headers.get('x-ratelimit-remaining'), '0')
  const limited = await call('GET', '/api/v3/users?page=2&pageSize=100')
  t.equal(limited.status, 429)
  t.match(limited.json, /Too Many Requests/)
  t.ok(Number(limited.headers.get('retry-after')) > 0)
  t.equal((await call('PUT', '/api/v3/users', { id: 5 })).status, 429, 'writes are out of budget too')
  t.same(sb.reads().map((r) => [r.method, r.path, r.status]), [
    ['GET', '/api/v3/users', 401], ['GET', '/api/v3/users?page=1&pageSize=100', 200], ['GET', '/api/v3/users/5', 200], ['GET', '/api/v3/users?page=2&pageSize=100', 429]
  ])
  t.equal(sb.requests().length, 2)
  t.equal(sb.creates().length, 1)
  const hook = await call('GET', '/__sandbox/requests')
  t.same([hook.json.requests.length, hook.json.creates.length, hook.json.reads.length], [2, 1, 4], 'the hook shows all three records')
  sb.reset()
  t.same([sb.reads(), sb.creates()], [[], []], 'reset clears them')
})

t.test('faults hit PUTs unless they name another target', async (t) => {
  const { sb, call } = await start(t, [user(5)])
  sb.inject({ kind: 'status', status: 503, count: 1 })
  sb.inject({ kind: 'status', status: 502, count: 1, on: 'get' })
  sb.inject({ kind: 'drop', count: 1, on: 'post' })
  t.equal((await call('GET', '/api/v3/users')).status, 502, 'the get fault, though queued second')
  t.equal((await call('GET', '/api/v3/users/5')).status, 200)
  await t.rejects(call('POST', '/api/v1/users', newHire), 'the post fault drops the create')
  t.equal(sb.creates()[0]?.status, 0)
  t.equal((await call('PUT', '/api/v3/users', { id: 5 })).status, 503)
  t.equal((await call('POST', '/__sandbox/faults', { kind: 'status', status: 500, on: 'any' })).status, 200)
  t.equal((await call('GET', '/api/v3/users')).status, 500, 'any: the next call of any kind')
  t.equal((await call('POST', '/__sandbox/faults', { kind: 'drop', on: 'delete' })).status, 400)
})
