import t from 'tap'
import { join } from 'node:path'
import { loadDirectorySeed } from '../../../src/simulators/okta/directory.js'
import { createRateWindow } from '../../../src/simulators/okta/directory-http.js'
import { startDirectory } from '../../okta/fixtures.js'

const call = async (url: string, token: string | undefined, init: { method?: string, body?: unknown } = {}) => {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { accept: 'application/json', ...(token !== undefined && { authorization: `SSWS ${token}` }), ...(init.body !== undefined && { 'content-type': 'application/json' }) },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) })
  })
  return { status: res.status, headers: res.headers, body: await res.json() as Record<string, unknown> }
}

t.test('GET user: Okta user JSON, rate-limit headers on every response', async (t) => {
  const { url, token } = await startDirectory(t)
  const r = await call(`${url}/api/v1/users/00urivera`, token)
  t.equal(r.status, 200)
  t.match(r.body, { id: '00urivera', status: 'ACTIVE', created: String, lastUpdated: String, profile: { firstName: 'Jo' }, _links: { self: { href: `${url}/api/v1/users/00urivera` } } })
  t.equal(r.headers.get('x-rate-limit-limit'), '600')
  t.equal(r.headers.get('x-rate-limit-remaining'), '599')
  t.ok(Number(r.headers.get('x-rate-limit-reset')) > Date.now() / 1000)
  const byLogin = await call(`${url}/api/v1/users/rivera%40example.com`, token)
  t.equal(byLogin.body['id'], '00urivera', 'the login works where an id is expected, as in Okta')
})

t.test('no or wrong token: 401 E0000011; unknown user: 404 E0000007', async (t) => {
  const { url, token } = await startDirectory(t)
  for (const tok of [undefined, 'nope']) {
    const r = await call(`${url}/api/v1/users/00urivera`, tok)
    t.equal(r.status, 401)
    t.match(r.body, { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorLink: 'E0000011', errorId: /^oae/, errorCauses: [] })
    t.ok(r.headers.get('x-rate-limit-remaining'))
  }
  const nf = await call(`${url}/api/v1/users/00unobody`, token)
  t.equal(nf.status, 404)
  t.match(nf.body, { errorCode: 'E0000007', errorSummary: 'Not found: Resource not found: 00unobody (User)' })
  t.equal((await call(`${url}/api/v1/apps`, token)).status, 404)
  t.match(await call(`${url}/api/v1/users/00urivera`, token, { method: 'DELETE' }), { status: 405, body: { errorCode: 'E0000022' } })
})

t.test('groups are paged with limit/after and Link headers', async (t) => {
  const { url, token } = await startDirectory(t, { pageSize: 3 })
  const first = await call(`${url}/api/v1/users/00urivera/groups?limit=2`, token)
  t.same((first.body as unknown as Array<{ id: string }>).map((g) => g.id), ['00gden', '00grms'])
  t.match(first.body, [{ type: 'OKTA_GROUP', profile: { name: 'Office Denver', description: null } }])
  t.equal(first.headers.get('link'), `<${url}/api/v1/users/00urivera/groups?limit=2>; rel="self", <${url}/api/v1/users/00urivera/groups?limit=2&after=00grms>; rel="next"`)
  const capped = await call(`${url}/api/v1/users/00urivera/groups?limit=50&after=00grms`, token)
  t.same((capped.body as unknown as Array<{ id: string }>).map((g) => g.id), ['00gphx', '00gall', '00greps'], 'pageSize caps limit')
  t.notMatch(capped.headers.get('link') ?? '', 'rel="next"', 'no next on the last page')
  t.same((await call(`${url}/api/v1/users/00urivera/groups?after=00gunknown`, token)).body, [])
})

t.test('profile updates and lifecycle operations', async (t) => {
  const { directory, url, token } = await startDirectory(t)
  const user = `${url}/api/v1/users/00urivera`
  const updated = await call(user, token, { method: 'POST', body: { profile: { mobilePhone: '720 555 0100', managerEmail: 'x@example.com' } } })
  t.match(updated.body, { profile: { firstName: 'Jo', mobilePhone: '720 555 0100', managerEmail: 'x@example.com' } })
  t.match(await call(user, token, { method: 'POST', body: { nope: 1 } }), { status: 400, body: { errorCode: 'E0000003' } })

  t.match(await call(`${user}/lifecycle/suspend`, token, { method: 'POST' }), { status: 200, body: {} })
  t.equal((await call(user, token)).body['status'], 'SUSPENDED')
  t.match(await call(`${user}/lifecycle/suspend`, token, { method: 'POST' }), { status: 400, body: { errorCode: 'E0000001' } })
  await call(`${user}/lifecycle/unsuspend`, token, { method: 'POST' })
  await call(`${user}/lifecycle/deactivate`, token, { method: 'POST' })
  t.equal((await call(user, token)).body['status'], 'DEPROVISIONED')
  await call(`${user}/lifecycle/activate`, token, { method: 'POST' })
  t.equal((await call(user, token)).body['status'], 'ACTIVE')
  t.equal((await call(`${user}/lifecycle/explode`, token, { method: 'POST' })).status, 405)

  directory.removeFromGroup('00urivera', '00gall')
  directory.addToGroup('00urivera', '00gall')
  directory.addToGroup('00urivera', '00gall')
  const groups = (await call(`${user}/groups`, token)).body as unknown as Array<{ id: string }>
  t.same(groups.map((g) => g.id), ['00gden', '00grms', '00gphx', '00greps', '00gall'])
  t.throws(() => directory.addToGroup('00urivera', '00gnope'))
  t.throws(() => directory.setStatus('00unobody', 'ACTIVE'))

  directory.setUser({ id: '00unew', status: 'PROVISIONED', profile: { firstName: 'N' }, groups: ['00greps'] })
  t.equal((await call(`${url}/api/v1/users/00unew`, token)).body['status'], 'PROVISIONED')
  t.same(directory.requests().slice(0, 2).map(({ method, path }) => ({ method, path })), [
    { method: 'POST', path: '/api/v1/users/00urivera' },
    { method: 'POST', path: '/api/v1/users/00urivera' }
  ])
})

t.test('injected faults answer in order, then the directory recovers', async (t) => {
  const { directory, url, token } = await startDirectory(t)
  const user = `${url}/api/v1/users/00urivera`
  directory.inject({ kind: 'status', status: 500, count: 1 })
  directory.inject({ kind: 'rate-limit', count: 2, resetInSec: 10 })
  t.match(await call(user, token), { status: 500, body: { errorCode: 'E0000009' } })
  const limited = await call(user, token)
  t.match(limited, { status: 429, body: { errorCode: 'E0000047' } })
  t.equal(limited.headers.get('x-rate-limit-remaining'), '0')
  const reset = Number(limited.headers.get('x-rate-limit-reset')) - Date.now() / 1000
  t.ok(reset > 8 && reset <= 10, `${reset}`)
  t.equal((await call(user, token)).status, 429)
  t.equal((await call(user, token)).status, 200)
  t.equal((await call(user, undefined)).status, 401, 'auth comes before faults')
})

t.test('the rate window counts requests and says when it is exhausted', async (t) => {
  const w = createRateWindow(2)
  t.match(w.take(), { exceeded: false, headers: { 'x-rate-limit-remaining': '1' } })
  t.match(w.take(), { exceeded: false, headers: { 'x-rate-limit-remaining': '0' } })
  t.match(w.take(), { exceeded: true, headers: { 'x-rate-limit-limit': '2', 'x-rate-limit-remaining': '0' } })
})

t.test('the sandbox seed loads; bad seeds say what is wrong', async (t) => {
  const seed = await loadDirectorySeed(join(import.meta.dirname, '../../../sandbox/okta-directory.json'))
  t.ok(seed.users.length > 0 && seed.groups.length > 0)
  const dir = t.testdir({
    'dangling.json': JSON.stringify({ groups: [{ id: 'g1', name: 'G' }], users: [{ id: 'u', status: 'ACTIVE', profile: {}, groups: ['g2'] }] }),
    'shape.json': JSON.stringify({ groups: [{ id: 'g1' }], users: [] }),
    'broken.json': '{'
  })
  await t.rejects(loadDirectorySeed(join(dir, 'dangling.json')), { code: 'CONFIG_INVALID', message: /\/users\/0\/groups\/0: no group with id "g2"/ })
  await t.rejects(loadDirectorySeed(join(dir, 'shape.json')), { code: 'CONFIG_INVALID', message: /\/groups\/0\/name/ })
  await t.rejects(loadDirectorySeed(join(dir, 'broken.json')), { code: 'CONFIG_INVALID', message: /broken\.json/ })
})

t.test('close is safe before listen and after close', async (t) => {
  const { directory } = await startDirectory(t)
  await directory.close()
  await directory.close()
  t.pass()
})
