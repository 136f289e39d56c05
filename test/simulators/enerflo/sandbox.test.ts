import t from 'tap'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadDirectorySeed } from '../../../src/simulators/okta/directory-seed.js'
import { createEnerfloSandbox, loadSandboxSeed, type EnerfloSandbox, type SandboxOptions, type SandboxUser } from '../../../src/simulators/enerflo/sandbox.js'
import { waitFor } from '../../helpers/wait.js'

const SEED = join(import.meta.dirname, '..', '..', '..', 'sandbox', 'enerflo-users.json')

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read whatever JSON came back
interface Answer { status: number, headers: Headers, text: string, json: any }

async function start (t: { teardown: (fn: () => unknown) => void }, extra: Partial<SandboxOptions> = {}): Promise<{ sb: EnerfloSandbox, base: string, key: string, put: (body: unknown, key?: string | null) => Promise<Answer>, hook: (method: string, path: string, body?: unknown, key?: string | null) => Promise<Answer> }> {
  const seed = await loadSandboxSeed(SEED)
  const key = randomBytes(12).toString('hex')
  const sb = createEnerfloSandbox({ apiKey: key, users: seed.users, offices: seed.offices, ...extra })
  const base = await sb.listen()
  t.teardown(() => sb.close())
  const call = async (method: string, path: string, body: unknown, k: string | null | undefined): Promise<Answer> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (k !== null) headers['api-key'] = k ?? key
    const res = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) })
    const text = await res.text()
    let json: unknown
    try { json = JSON.parse(text) } catch { json = undefined }
    return { status: res.status, headers: res.headers, text, json }
  }
  return {
    sb,
    base,
    key,
    put: (body, k) => call('PUT', '/api/v3/users', body, k),
    hook: (method, path, body, k) => call(method, path, body, k)
  }
}

t.test('a valid update is applied, answers 200 with the user, and leaves absent fields alone', async (t) => {
  const { sb, put } = await start(t)
  const before = sb.user(1002)
  const res = await put({ id: 1002, first_name: 'Samuel', active: false })
  t.equal(res.status, 200)
  t.equal(res.json.success, true)
  t.equal(res.json.data.first_name, 'Samuel')
  t.equal(res.json.data.surveys, undefined, 'sandbox-only counts are not part of the API answer')
  t.equal(res.headers.get('x-ratelimit-limit'), '300')
  t.equal(res.headers.get('x-ratelimit-remaining'), '299')
  const after = sb.user(1002)
  t.equal(after?.first_name, 'Samuel')
  t.equal(after?.active, false)
  t.same({ ...after, first_name: before?.first_name, active: before?.active }, before, 'nothing else changed')
  t.equal((await put({ id: '1003', last_name: 'Kimura' })).status, 200, 'the docs type id as a string: accepted too')
  t.equal(sb.user(1003)?.last_name, 'Kimura')
})

t.test('the api-key header is required and must match', async (t) => {
  const { sb, put } = await start(t)
  const none = await put({ id: 1002, first_name: 'X' }, null)
  t.equal(none.status, 401)
  t.equal(none.json.success, false)
  t.equal((await put({ id: 1002, first_name: 'X' }, 'wrong-key')).status, 401)
  t.equal(sb.user(1002)?.first_name, 'Sam', 'nothing applied')
  t.equal(sb.requests().length, 2, 'both recorded')
})

t.test('bad JSON is 400, a missing id 422, an unknown id 404', async (t) => {
  const { put } = await start(t)
  t.equal((await put('{"id": 10')).status, 400)
  const missing = await put({ first_name: 'X' })
  t.equal(missing.status, 422)
  t.same(missing.json.errors.id, ['The id field is required.'])
  t.equal((await put({ id: 'abc' })).status, 422)
  const unknown = await put({ id: 424242, first_name: 'X' })
  t.equal(unknown.status, 404)
  t.match(unknown.json.message, /424242 not found/)
})

t.test('email must be unique across users (case-insensitive); keeping your own is fine', async (t) => {
  const { sb, put } = await start(t)
  const taken = await put({ id: 1003, email: 'Sam.Patel@example.com' })
  t.equal(taken.status, 422)
  t.equal(taken.json.success, false)
  t.same(taken.json.errors.email, ['The email has already been taken.'])
  t.equal(sb.user(1003)?.email, 'alex.kim@example.com')
  t.equal((await put({ id: 1003, email: 'alex.kim@example.com' })).status, 200)
  t.equal((await put({ id: 1003, email: 'not-an-email' })).status, 422)
})

t.test('phone: the three documented formats are stored as 10 digits, others refused', async (t) => {
  const { sb, put } = await start(t)
  for (const phone of ['480-555-0199', '4805550199', '(480) 555-0199']) {
    t.equal((await put({ id: 1004, phone: '0000000000' })).status, 200)
    const res = await put({ id: 1004, phone })
    t.equal(res.status, 200, phone)
    t.equal(sb.user(1004)?.phone, '4805550199', `${phone} stored as digits`)
  }
  for (const phone of ['555-0199', '+1 480 555 0199', '480.555.0199', '14805550199', '(480)555-0199', 4805550199]) {
    const res = await put({ id: 1004, phone })
    t.equal(res.status, 422, String(phone))
    t.ok(res.json.errors.phone, 'names the field')
  }
})

t.test('roles must be Role Names: a slug is refused with 400 "Invalid role name" and named', async (t) => {
  const { sb, put } = await start(t)
  for (const slug of ['sales_rep', 'agent', 'regionalmanager']) {
    const res = await put({ id: 1004, roles: ['Sales Rep', slug] })
    t.equal(res.status, 400, slug)
    t.equal(res.json.message, 'Invalid role name')
    t.match(res.json.errors.roles, [new RegExp(`Invalid role name: ${slug} \\(use the Role Name`)])
  }
  t.same(sb.user(1004)?.roles, ['Sales Rep'])
  t.equal((await put({ id: 1004, roles: ['Sales Rep', 'Setter'] })).status, 200)
  t.same(sb.user(1004)?.roles, ['Sales Rep', 'Setter'])
  const custom = await start(t, { knownRoles: ['Closer'] })
  t.equal((await custom.put({ id: 1004, roles: ['Closer'] })).status, 200, 'knownRoles replaces the defaults')
  t.equal((await custom.put({ id: 1004, roles: ['Setter'] })).status, 400)
  t.equal((await put({ id: 1004, roles: ['Scheduler'] })).status, 200, 'by default every name of the slug table is a Role Name')
})

t.test('Super Admin and Company Admin: kept whatever PUT sends, refused when sent', async (t) => {
  const { sb, put } = await start(t)
  sb.reset([...sb.users().filter((u) => u.id !== 1001), { ...sb.user(1001)!, roles: ['Company Admin', 'Regional Manager'] }])
  t.equal((await put({ id: 1001, roles: ['Sales Rep Manager'] })).status, 200)
  t.same(sb.user(1001)?.roles, ['Sales Rep Manager', 'Company Admin'], 'a PUT without it does not remove it')
  const sent = await put({ id: 1004, roles: ['Sales Rep', 'Super Admin'] })
  t.equal(sent.status, 400)
  t.match(sent.json.errors.roles, [/Super Admin is kept by Enerflo/])
  t.same(sb.user(1004)?.roles, ['Sales Rep'])
})

t.test('removing Sales Rep or Setter while surveys/appointments are attributed fails', async (t) => {
  const { sb, put } = await start(t)
  const res = await put({ id: 1002, roles: ['Setter'] })
  t.equal(res.status, 422)
  t.match(res.json.message, /Sales Rep/)
  t.match(res.json.message, /3 surveys and 1 appointments attributed/)
  t.ok(res.json.errors.roles)
  t.same(sb.user(1002)?.roles, ['Sales Rep'], 'unchanged')
  t.equal((await put({ id: 1002, roles: ['Sales Rep', 'Setter'] })).status, 200, 'adding a role is fine')
  t.equal((await put({ id: 1004, roles: ['Setter'] })).status, 200, 'no attribution: removal allowed')
  t.same(sb.user(1004)?.roles, ['Setter'])
})

t.test('attributed leads are per role, and reassigning them lets the role go (programmatically and over the hook)', async (t) => {
  const seed = await loadSandboxSeed(SEED)
  const users: SandboxUser[] = [
    ...seed.users,
    { id: 2001, email: 'both@example.com', active: true, roles: ['Sales Rep', 'Setter'], office_ids: [101], surveys: 0, appointments: 0, attributed: { Setter: { surveys: 2, appointments: 0 }, 'Sales Rep': { surveys: 0, appointments: 1 } } }
  ]
  const { sb, put, hook } = await start(t, { users })
  const both = await put({ id: 2001, roles: [] })
  t.equal(both.status, 422)
  t.match(both.json.errors.roles, [/The Sales Rep role cannot be removed: the user has 0 surveys and 1 appointments/, /The Setter role cannot be removed: the user has 2 surveys and 0 appointments/], 'each refused role with its own counts')
  t.equal(sb.reassignLeads(2001, 'Setter'), true)
  const setterOnly = await put({ id: 2001, roles: ['Sales Rep'] })
  t.equal(setterOnly.status, 200, 'leads reassigned away from Setter: Setter may go while Sales Rep still has its own')
  t.equal((await put({ id: 2001, roles: [] })).status, 422, 'Sales Rep still holds its appointment')
  const viaHook = await hook('POST', '/__sandbox/users/2001/reassign-leads', { role: 'Sales Rep' })
  t.equal(viaHook.status, 200)
  t.same(viaHook.json.attributed, { Setter: { surveys: 0, appointments: 0 }, 'Sales Rep': { surveys: 0, appointments: 0 } })
  t.equal((await put({ id: 2001, roles: [] })).status, 200, 'then it goes too')
  t.equal((await put({ id: 1002, roles: ['Setter'] })).status, 422, 'plain counts still block Sales Rep')
  t.equal((await hook('POST', '/__sandbox/users/1002/reassign-leads')).status, 200, 'no body: every role')
  t.equal((await put({ id: 1002, roles: ['Setter'] })).status, 200)
  t.match(sb.user(1002), { surveys: 0, appointments: 0 })
  t.equal((await hook('POST', '/__sandbox/users/9999/reassign-leads')).status, 404)
  t.equal((await hook('POST', '/__sandbox/users/1002/reassign-leads', { role: 7 })).status, 400)
  t.equal((await hook('POST', '/__sandbox/users/1002/reassign-leads', undefined, null)).status, 401, 'behind the api key')
  const read = await hook('GET', '/api/v3/users/2001')
  t.equal(read.status, 200)
  t.notMatch(read.text, /attributed|surveys/, 'the API never shows the sandbox-only attribution')
})

t.test('offices: unknown ids refused; ids after the first kept only for a Regional Manager', async (t) => {
  const { sb, put } = await start(t)
  const unknown = await put({ id: 1004, office_ids: [101, 999] })
  t.equal(unknown.status, 422)
  t.match(unknown.json.message, /999/)
  const rep = await put({ id: 1004, office_ids: [102, 101] })
  t.equal(rep.status, 200)
  t.same(sb.user(1004)?.office_ids, [102], 'extra offices ignored for a Sales Rep')
  t.same(rep.json.data.office_ids, [102])
  t.equal((await put({ id: 1001, office_ids: [103, 101, 102] })).status, 200)
  t.same(sb.user(1001)?.office_ids, [103, 101, 102], 'a Regional Manager keeps all')
  t.equal((await put({ id: 1001, roles: ['Sales Rep Manager'], office_ids: [101, 102] })).status, 200)
  t.same(sb.user(1001)?.office_ids, [101], 'the resulting roles decide')
  const seed = await loadSandboxSeed(SEED)
  const anyOffice = createEnerfloSandbox({ apiKey: 'k', users: seed.users })
  const base = await anyOffice.listen()
  t.teardown(() => anyOffice.close())
  const r = await fetch(`${base}/api/v3/users`, { method: 'PUT', headers: { 'api-key': 'k' }, body: JSON.stringify({ id: 1004, office_ids: [999] }) })
  t.equal(r.status, 200, 'without an offices list any office id is accepted')
  await r.text()
})

t.test('manager_email must belong to an existing user', async (t) => {
  const { sb, put } = await start(t)
  const res = await put({ id: 1004, manager_email: 'nobody@example.com' })
  t.equal(res.status, 422)
  t.ok(res.json.errors.manager_email)
  t.equal(sb.user(1004)?.manager_email, undefined)
  t.equal((await put({ id: 1004, manager_email: 'jordan.rivera@example.com' })).status, 200)
  t.equal(sb.user(1004)?.manager_email, 'jordan.rivera@example.com')
})

t.test('several invalid fields: all reported, message says how many more', async (t) => {
  const { put } = await start(t)
  const res = await put({ id: 1004, phone: '12', active: 'yes', first_name: 5, roles: ['sales_rep'] })
  t.equal(res.status, 422, 'validation answers before role names are looked up')
  t.same(Object.keys(res.json.errors).sort(), ['active', 'first_name', 'phone'])
  t.match(res.json.message, /\(and 2 more errors\)$/)
})

t.test('rate limit: max per window, then 429 with retry-after, reset and an HTML body', async (t) => {
  const { put, hook } = await start(t, { rateLimit: { max: 3, windowMs: 60_000 } })
  const remaining: Array<string | null> = []
  for (let i = 0; i < 3; i++) {
    const res = await put({ id: 1004, first_name: `C${i}` })
    t.equal(res.status, 200)
    remaining.push(res.headers.get('x-ratelimit-remaining'))
    await hook('GET', '/__sandbox/users')
  }
  t.same(remaining, ['2', '1', '0'], 'hooks do not spend the budget')
  const res = await put({ id: 1004, first_name: 'D' })
  t.equal(res.status, 429)
  t.match(res.headers.get('content-type'), /text\/html/)
  t.match(res.text, /<html[\s\S]*Too Many Requests/)
  t.equal(res.json, undefined, 'not JSON')
  t.equal(res.headers.get('x-ratelimit-limit'), '3')
  t.equal(res.headers.get('x-ratelimit-remaining'), '0')
  const retry = Number(res.headers.get('retry-after'))
  t.ok(retry > 55 && retry <= 60, `retry-after ${retry}`)
  const reset = Number(res.headers.get('x-ratelimit-reset'))
  t.ok(Math.abs(reset - (Date.now() / 1000 + retry)) < 3, 'reset is epoch seconds')
  t.equal((await put({ id: 1004, first_name: 'E' }, 'other-key')).status, 401, 'unauthenticated calls are answered')
})

t.test('rate limit window opens again after windowMs', async (t) => {
  const { put } = await start(t, { rateLimit: { max: 1, windowMs: 150 } })
  t.equal((await put({ id: 1004 })).status, 200)
  t.equal((await put({ id: 1004 })).status, 429)
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal((await put({ id: 1004 })).status, 200)
})

t.test('HTTP test hooks: auth, users, faults, requests, reset', async (t) => {
  const { sb, put, hook } = await start(t)
  t.equal((await hook('GET', '/__sandbox/users', undefined, null)).status, 401)
  t.equal((await hook('POST', '/__sandbox/faults', { kind: 'drop', count: 1 }, 'wrong')).status, 401)
  const users = await hook('GET', '/__sandbox/users')
  t.same(users.json.users.map((u: SandboxUser) => u.id), [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008], 'deleted users included')
  t.equal(users.json.users[1].surveys, 3, 'hooks show the sandbox-only counts')

  for (const bad of [{ kind: 'nope' }, { kind: 'status', status: 99 }, { kind: 'status', status: 500, body: 5 }, { kind: 'latency', ms: -1 },
    { kind: 'rate-limit' }, { kind: 'drop', count: 0 }, null]) {
    t.equal((await hook('POST', '/__sandbox/faults', bad)).status, 400, JSON.stringify(bad))
  }
  t.equal((await hook('POST', '/__sandbox/faults', { kind: 'latency', ms: 1 })).json.pending, 1, 'count defaults to 1')
  sb.reset()
  t.equal((await hook('POST', '/__sandbox/faults', '{bad')).status, 400)
  const injected = await hook('POST', '/__sandbox/faults', { kind: 'status', status: 503, count: 2 })
  t.equal(injected.status, 200)
  t.equal(injected.json.pending, 2)
  t.equal((await put({ id: 1004, first_name: 'A' })).status, 503)
  t.equal((await put({ id: 1004, first_name: 'B' })).status, 503)
  t.equal((await put({ id: 1004, first_name: 'C' })).status, 200, 'faults are used up')

  const reqs = await hook('GET', '/__sandbox/requests')
  t.same(reqs.json.requests.map((r: { status: number }) => r.status), [503, 503, 200])
  t.equal(reqs.json.requests[2].userId, 1004)
  t.same(reqs.json.requests[2].body, { id: 1004, first_name: 'C' })
  t.equal(reqs.json.maxConcurrentPerUser, 1)

  t.equal((await hook('POST', '/__sandbox/reset')).status, 200)
  t.equal(sb.user(1004)?.first_name, 'Casey', 'users back to the seed')
  t.equal(sb.requests().length, 0)
  const custom = await hook('POST', '/__sandbox/reset', { users: [{ id: 7, email: 'a@example.com', roles: ['Setter'] }] })
  t.equal(custom.status, 200)
  t.same(sb.users(), [{ id: 7, email: 'a@example.com', roles: ['Setter'], active: true, office_ids: [], surveys: 0, appointments: 0 }])
  t.equal((await hook('POST', '/__sandbox/reset', { users: [{ id: 'x' }] })).status, 400)
  t.equal((await hook('GET', '/__sandbox/nothing')).status, 404)
})

t.test('faults: status with a body, rate-limit, drop and latency', async (t) => {
  const { sb, put } = await start(t)
  sb.inject({ kind: 'status', status: 200, count: 1, body: '{"success":false,"message":"Nope"}' })
  sb.inject({ kind: 'status', status: 502, count: 1, body: '<html>Bad Gateway</html>' })
  sb.inject({ kind: 'rate-limit', count: 1, retryAfterSec: 7 })
  const soft = await put({ id: 1004, first_name: 'A' })
  t.same([soft.status, soft.json], [200, { success: false, message: 'Nope' }])
  const gw = await put({ id: 1004 })
  t.same([gw.status, gw.text], [502, '<html>Bad Gateway</html>'])
  const limited = await put({ id: 1004 })
  t.equal(limited.status, 429)
  t.equal(limited.headers.get('retry-after'), '7')
  t.match(limited.text, /Too Many Requests/)
  t.equal(sb.user(1004)?.first_name, 'Casey', 'faulted requests are not applied')

  sb.inject({ kind: 'drop', count: 1 })
  await t.rejects(put({ id: 1004, first_name: 'Dropped' }))
  t.equal(sb.requests().at(-1)?.status, 0, 'a drop is recorded with status 0')

  sb.inject({ kind: 'latency', ms: 250, count: 1 })
  const slow = await put({ id: 1004, first_name: 'Slow' })
  t.equal(slow.status, 200)
  t.ok((sb.requests().at(-1)?.durationMs ?? 0) >= 240, 'the latency is observable')
  t.equal(sb.user(1004)?.first_name, 'Slow', 'a slow request is still applied')
})

t.test('maxConcurrentPerUser sees two slow PUTs overlap for one user, not sequential ones', async (t) => {
  const { sb, put } = await start(t)
  sb.inject({ kind: 'latency', ms: 200, count: 4 })
  await put({ id: 1004, first_name: 'A' })
  await put({ id: 1004, first_name: 'B' })
  await Promise.all([put({ id: 1003, first_name: 'C' }), put({ id: 1004, first_name: 'D' })])
  t.equal(sb.maxConcurrentPerUser(), 1, 'sequential, or different users: no overlap')
  sb.inject({ kind: 'latency', ms: 200, count: 2 })
  await Promise.all([put({ id: 1004, first_name: 'E' }), put({ id: 1004, first_name: 'F' })])
  t.equal(sb.maxConcurrentPerUser(), 2)
  sb.reset()
  t.equal(sb.maxConcurrentPerUser(), 0, 'reset clears it')
})

t.test('users() and requests() are copies; close() ends a pending latency fault', async (t) => {
  const { sb, put } = await start(t)
  const u = sb.users()[0]
  u?.roles.push('Setter')
  t.same(sb.users()[0]?.roles, ['Regional Manager'])
  t.equal(sb.user(99999), undefined)
  await put({ id: 1004, first_name: 'A' })
  const r = sb.requests()[0] as { body: { first_name: string } }
  r.body.first_name = 'changed'
  t.same(sb.requests()[0]?.body, { id: 1004, first_name: 'A' })

  sb.inject({ kind: 'latency', ms: 60_000, count: 1 })
  const pending = put({ id: 1004, first_name: 'Never' }).catch((err: unknown) => err)
  const slow = (): number | undefined => sb.requests().find((r) => (r.body as { first_name?: string }).first_name === 'Never')?.status
  await waitFor('the slow PUT to reach the sandbox', slow, (status) => status !== undefined)
  t.equal(slow(), 0, 'held by the latency fault')
  await sb.close()
  t.not(slow(), 0, 'close does not wait for the latency: it cut it short, and the PUT ran to its end')
  await pending
  await sb.close()
})

t.test('listen reports its URL; other paths and methods are answered', async (t) => {
  const { base, hook } = await start(t)
  t.match(base, /^http:\/\/127\.0\.0\.1:\d+$/)
  const wrong = await hook('DELETE', '/api/v3/users')
  t.same([wrong.status, wrong.headers.get('allow')], [405, 'GET, PUT'])
  t.same([(await hook('PUT', '/api/v3/users/1004')).status, (await hook('GET', '/api/v1/users')).status], [405, 405])
  t.equal((await hook('GET', '/elsewhere')).status, 404)
  const sb = createEnerfloSandbox({ apiKey: 'k', users: [] })
  await sb.close()
  t.pass('closing a sandbox that never listened is fine')
  const a = createEnerfloSandbox({ apiKey: 'k', users: [] })
  const url = await a.listen()
  t.teardown(() => a.close())
  const b = createEnerfloSandbox({ apiKey: 'k', users: [] })
  await t.rejects(b.listen(Number(new URL(url).port)), { code: 'EADDRINUSE' })
})

t.test('loadSandboxSeed reads the repo seed and refuses a broken one', async (t) => {
  const seed = await loadSandboxSeed(SEED)
  t.same(seed.offices, [101, 102, 103])
  t.equal(seed.users.length, 8)
  t.equal(seed.users.find((u) => u.id === 1002)?.surveys, 3)
  const dir = t.testdir({})
  const bad = join(dir, 'bad.json')
  await writeFile(bad, JSON.stringify({ users: [{ id: 1, roles: 'Setter' }] }))
  await t.rejects(loadSandboxSeed(bad), /bad\.json: not a sandbox seed at \/users\/0\/roles/)
  const dup = join(dir, 'dup.json')
  await writeFile(dup, JSON.stringify({ users: [{ id: 1 }, { id: 1 }] }))
  await t.rejects(loadSandboxSeed(dup), /appears twice/)
  const noOffices = join(dir, 'no-offices.json')
  await writeFile(noOffices, JSON.stringify({ users: [{ id: 1, office_ids: [5, 6] }, { id: 2, office_ids: [6] }] }))
  t.same((await loadSandboxSeed(noOffices)).offices, [5, 6], 'offices default to those in use')
})

// The demo story (README, issue 11): people with no Enerflo id attribute whose email Enerflo
// already holds link on the first run, and one person in a mapped role group is new to Enerflo.
t.test('the demo seeds: who links by email, who is new, what Enerflo reads back', async (t) => {
  const { hook } = await start(t)
  const okta = await loadDirectorySeed(join(import.meta.dirname, '..', '..', '..', 'sandbox', 'okta-directory.json'))
  const enerflo: Array<{ id: number, email: string }> = []
  for (const status of ['active', 'inactive']) {
    const page = await hook('GET', `/api/v3/users?page=1&pageSize=100&status=${status}`)
    t.equal(page.json.totalPages, 1)
    enerflo.push(...page.json.results)
  }
  t.same(enerflo.map((u) => u.id).sort(), [1001, 1002, 1003, 1004, 1005, 1006, 1007], 'the deleted 1008 is in neither pass')
  const byEmail = (email: unknown) => enerflo.filter((u) => typeof email === 'string' && u.email.toLowerCase() === email.toLowerCase()).map((u) => u.id)
  const unlinked = okta.users.filter((u) => u.profile['enerfloUserId'] === undefined)
  t.same(unlinked.map((u) => [u.id, byEmail(u.profile['email'])]), [
    ['00ucaseynguyen000001', [1004]],
    ['00umorganlee00000001', [1005]],
    ['00utaylorbrooks00001', [1006]],
    ['00udrewpark000000001', [1007]],
    ['00urileychen00000001', []]
  ], 'one match each (Taylor\'s differs in case, Drew\'s is on the inactive pass), and Riley is new')
  const riley = okta.users.find((u) => u.id === '00urileychen00000001')
  t.ok(riley?.groups.includes('00gsalesreps000000001'), 'Riley is in a mapped role group: a candidate for create')
  const sam = okta.users.find((u) => u.id === '00usampatel000000001')
  t.equal(sam?.profile['enerfloUserId'], '1002', 'Sam Patel keeps her id attribute (the first-run story)')
  const taken = await hook('POST', '/api/v1/users', { email: 'Jamie.Ortiz@example.com', roles: ['Setter'], notify_email: false, allow_optimus: false })
  t.equal(taken.status, 422, 'the deleted demo user still holds her email')
  t.match(taken.json.message, 'The email has already been taken.')
})

t.test('the Okta demo seed loader refuses a user or group id given twice', async (t) => {
  const u = { id: '00uaaaaaaaaaaaaaaaa1', status: 'ACTIVE', profile: {}, groups: [] }
  const dir = t.testdir({ 'twice.json': JSON.stringify({ groups: [{ id: 'g', name: 'A' }, { id: 'g', name: 'B' }], users: [u, u] }) })
  await t.rejects(loadDirectorySeed(join(dir, 'twice.json')), { message: /\/groups\/1\/id: "g" appears twice\n.*\/users\/1\/id: "00uaaaaaaaaaaaaaaaa1" appears twice/ })
})
