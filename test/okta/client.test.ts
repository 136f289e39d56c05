import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createOktaClient } from '../../src/okta/client.js'
import { UpstreamError } from '../../src/errors.js'
import { startDirectory } from './fixtures.js'

const failure = async (p: Promise<unknown>): Promise<UpstreamError> => {
  const err = await p.then(() => undefined, (e: unknown) => e)
  if (!(err instanceof UpstreamError)) throw new Error(`expected an UpstreamError, got ${String(err)}`)
  return err
}

t.test('getUser returns the user as Okta has it now', async (t) => {
  const { directory, url, token } = await startDirectory(t)
  const okta = createOktaClient({ baseUrl: url, token })
  t.teardown(() => okta.close())
  const user = await okta.getUser('00urivera')
  t.same(user, { id: '00urivera', status: 'ACTIVE', profile: { login: 'rivera@example.com', email: 'rivera@example.com', firstName: 'Jo', lastName: 'Rivera', mobilePhone: '602 555 0101' } })
  directory.updateProfile('00urivera', { mobilePhone: '602 555 0199' })
  directory.setStatus('00urivera', 'SUSPENDED')
  const again = await okta.getUser('00urivera')
  t.equal(again?.status, 'SUSPENDED')
  t.equal(again?.profile['mobilePhone'], '602 555 0199')
})

t.test('a deleted user is null', async (t) => {
  const { directory, url, token } = await startDirectory(t)
  const okta = createOktaClient({ baseUrl: url, token })
  t.teardown(() => okta.close())
  directory.deleteUser('00urivera')
  t.equal(await okta.getUser('00urivera'), null)
  t.equal(directory.requests().at(-1)?.path, '/api/v1/users/00urivera', 'the id is one path segment')
  // The one id rule (src/sync/user-id.ts): an id that is not one never becomes part of a URL.
  const sent = directory.requests().length
  await t.rejects(okta.getUser('no such/user?x=1'), TypeError)
  t.equal(directory.requests().length, sent, 'ids outside the rule never reach Okta')
})

t.test('a 404 that is not Okta saying "no such user" is an error, not a deletion', async (t) => {
  const server = createServer((_req, res) => { res.writeHead(404, { 'content-type': 'text/html' }); res.end('<h1>Not Found</h1>') })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const okta = createOktaClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'x' })
  t.teardown(() => okta.close())
  const err = await failure(okta.getUser('00u1'))
  t.equal(err.code, 'OKTA_HTTP')
  t.equal(err.transient, false)
  t.equal(err.body, '<h1>Not Found</h1>')
})

t.test('listUserGroups follows Link rel="next" across pages, in Okta order', async (t) => {
  const { directory, url, token } = await startDirectory(t, { pageSize: 2 })
  const okta = createOktaClient({ baseUrl: url, token })
  t.teardown(() => okta.close())
  const groups = await okta.listUserGroups('00urivera')
  t.same(groups.map((g) => g.profile.name), ['Office Denver', 'RMs', 'Office Phoenix', 'Everyone', 'Reps'])
  t.equal(groups[0]?.type, 'OKTA_GROUP')
  const paths = directory.requests().map((r) => r.path)
  t.same(paths, [
    '/api/v1/users/00urivera/groups?limit=200',
    '/api/v1/users/00urivera/groups?limit=2&after=00grms',
    '/api/v1/users/00urivera/groups?limit=2&after=00gall'
  ])
  t.same(await okta.listUserGroups('00ustaged'), [])
})

t.test('a user deleted while its groups are read: transient, so a retry sees the deletion', async (t) => {
  const { url, token } = await startDirectory(t)
  const okta = createOktaClient({ baseUrl: url, token })
  t.teardown(() => okta.close())
  const err = await failure(okta.listUserGroups('00ugone'))
  t.equal(err.status, 404)
  t.equal(err.transient, true)
})

t.test('a wrong token: permanent, says what to check, never shows the token', async (t) => {
  const { url, token } = await startDirectory(t)
  const wrong = `${token}-old`
  const okta = createOktaClient({ baseUrl: url, token: wrong })
  t.teardown(() => okta.close())
  const err = await failure(okta.getUser('00urivera'))
  t.equal(err.code, 'OKTA_HTTP')
  t.equal(err.status, 401)
  t.equal(err.transient, false)
  t.match(err.message, /OKTA_API_TOKEN/)
  t.match(err.message, /E0000011 Invalid token provided/)
  t.notMatch(err.message, token)
  t.notMatch(JSON.stringify(err), token)
})

t.test('429: transient, retryAfterMs from X-Rate-Limit-Reset', async (t) => {
  const { directory, url, token } = await startDirectory(t)
  const okta = createOktaClient({ baseUrl: url, token })
  t.teardown(() => okta.close())
  directory.inject({ kind: 'rate-limit', count: 1, resetInSec: 30 })
  const err = await failure(okta.getUser('00urivera'))
  t.equal(err.code, 'OKTA_RATE_LIMITED')
  t.equal(err.status, 429)
  t.equal(err.transient, true)
  t.ok(err.retryAfterMs !== undefined && err.retryAfterMs >= 29_000 && err.retryAfterMs <= 31_000, `${err.retryAfterMs}`)
  t.match(err.body, { errorCode: 'E0000047' })
  t.equal(err.headers['x-rate-limit-remaining'], '0')
  t.ok(await okta.getUser('00urivera'), 'the fault is spent')

  directory.inject({ kind: 'rate-limit', count: 1, resetInSec: 0 })
  t.equal((await failure(okta.getUser('00urivera'))).retryAfterMs, 1000, 'at least a second')
})

t.test('5xx is transient; other 4xx are permanent with Okta errorCode and summary', async (t) => {
  const { directory, url, token } = await startDirectory(t)
  const okta = createOktaClient({ baseUrl: url, token })
  t.teardown(() => okta.close())
  directory.inject({ kind: 'status', status: 503, count: 2 })
  const first = await failure(okta.getUser('00urivera'))
  t.match(first, { code: 'OKTA_UNAVAILABLE', status: 503, transient: true })
  t.match(await failure(okta.listUserGroups('00urivera')), { code: 'OKTA_UNAVAILABLE', transient: true })
  directory.inject({ kind: 'status', status: 400, count: 1 })
  const bad = await failure(okta.getUser('00urivera'))
  t.match(bad, { code: 'OKTA_HTTP', status: 400, transient: false, message: /400.*E0000001 Api validation failed/ })
  directory.inject({ kind: 'status', status: 403, count: 1 })
  t.match(await failure(okta.getUser('00urivera')), { code: 'OKTA_HTTP', transient: false, message: /403.*OKTA_API_TOKEN/ })
})

t.test('connection refused and timeouts are transient, with no HTTP status', async (t) => {
  const { directory, url, token } = await startDirectory(t)
  await directory.close()
  const okta = createOktaClient({ baseUrl: url, token })
  t.teardown(() => okta.close())
  t.match(await failure(okta.getUser('00urivera')), { code: 'OKTA_UNAVAILABLE', status: 0, transient: true, message: /ECONNREFUSED/ })

  const silent = createServer(() => { /* never answers */ })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { silent.closeAllConnections(); silent.close() })
  const slow = createOktaClient({ baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, token, timeoutMs: 100 })
  t.teardown(() => slow.close())
  t.match(await failure(slow.listUserGroups('00urivera')), { code: 'OKTA_UNAVAILABLE', status: 0, transient: true })
})

t.test('answers that are not what Okta sends are permanent errors', async (t) => {
  let answer: { status: number, body: string, link?: string } = { status: 200, body: '{"id":1}' }
  const server = createServer((_req, res) => {
    res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.link !== undefined && { link: answer.link }) })
    res.end(answer.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const okta = createOktaClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, token: 't' })
  t.teardown(() => okta.close())
  t.match(await failure(okta.getUser('u')), { code: 'OKTA_HTTP', transient: false, message: /unexpected answer/ })
  answer = { status: 200, body: '{}' }
  t.match(await failure(okta.listUserGroups('u')), { code: 'OKTA_HTTP', message: /unexpected answer/ })
  answer = { status: 200, body: '[{"id":"g","profile":{}}]' }
  t.match(await failure(okta.listUserGroups('u')), { code: 'OKTA_HTTP' })
  answer = { status: 200, body: '[]', link: '<https://elsewhere.example.com/api/v1/users/u/groups?after=x>; rel="next"' }
  t.match(await failure(okta.listUserGroups('u')), { message: /another host/ })
  answer = { status: 200, body: '[]', link: '</api/v1/users/u/groups?limit=200>; rel="next"' }
  t.match(await failure(okta.listUserGroups('u')), { message: /pages do not end/ }, 'a next link back to the same page')
})
