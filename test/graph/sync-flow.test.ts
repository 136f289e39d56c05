import t from 'tap'
import { changeItem, startGraphHarness, type GraphHarness } from '../helpers/graph-harness.js'
import { G } from '../helpers/graph-fixtures.js'
import { waitFor } from '../helpers/wait.js'
import { settled as settledApp } from '../helpers/deliveries.js'

async function notify (h: GraphHarness, items: Array<Record<string, unknown>>): Promise<void> {
  const res = await h.post({ value: items })
  if (res.statusCode !== 202) throw new Error(`notification answered ${res.statusCode}: ${res.body}`)
}

async function settled (h: GraphHarness): Promise<void> { await settledApp(h.app) }

const puts = (h: GraphHarness, id?: number) => h.enerflo.requests().filter((r) => id === undefined || r.userId === id)
const tokenRequests = (h: GraphHarness): number => h.graph.requests().filter((r) => r.path.endsWith('/oauth2/v2.0/token')).length
const env = { JOB_BACKOFF_MS: '50' }

t.test('a batch of several users produces the right Enerflo PUTs, with one token for every job', async (t) => {
  const h = await startGraphHarness(t, { env, noPublicUrl: true, pageSize: 1 })
  await notify(h, [changeItem(h, G.rep), changeItem(h, G.boss), changeItem(h, G.setter), changeItem(h, G.rep)])
  await settled(h)
  t.same(puts(h, 502)[0]?.body, {
    id: 502, first_name: 'Rey', last_name: 'Pep', email: 'rep@example.com', phone: '4805550101', active: true,
    manager_email: 'boss@example.com', roles: ['Sales Rep'], office_ids: [101]
  }, 'business phone, manager mail, and roles and office through the nested group')
  t.equal(puts(h, 502).length, 1, 'two notifications for one user, one PUT')
  t.same((puts(h, 501)[0]?.body as { office_ids?: number[] }).office_ids, [101, 102], 'every group page was read (page size 1)')
  const groupPages = h.graph.requests().filter((r) => r.path.includes(`/users/${G.boss}/transitiveMemberOf`))
  t.equal(groupPages.length, 3, 'three groups, three pages')
  t.notOk('manager_email' in (puts(h, 501)[0]?.body as object), 'manager 404: manager_email left out')
  t.ok(h.graph.requests().some((r) => r.path.startsWith(`/v1.0/users/${G.boss}/manager`)), 'the manager was asked for')
  t.match(h.graph.requests().find((r) => r.path.startsWith(`/v1.0/users/${G.rep}?`))?.path, /\$select=.*accountEnabled.*employeeId/, 'selects accountEnabled and the identity attribute')
  // One fresh token for the start-up credential check (it tries the secret itself), one for every job.
  t.equal(tokenRequests(h), 2, 'one token for all jobs')

  t.test('an unchanged user sends nothing; a change sends only what changed', async (t) => {
    const before = puts(h).length
    await notify(h, [changeItem(h, G.rep)])
    await settled(h)
    t.equal(puts(h).length, before)
    h.graph.updateUser(G.rep, { mobilePhone: '(602) 555-0177', surname: 'Pepper' })
    await notify(h, [changeItem(h, G.rep)])
    await settled(h)
    t.same(puts(h, 502).at(-1)?.body, { id: 502, last_name: 'Pepper', phone: '6025550177' })
  })

  t.test('accountEnabled false deactivates', async (t) => {
    h.graph.updateUser(G.setter, { accountEnabled: false })
    await notify(h, [changeItem(h, G.setter)])
    await settled(h)
    t.same(puts(h, 503).at(-1)?.body, { id: 503, active: false })
  })

  t.test('deleted (and any 404 user) deactivates a linked user', async (t) => {
    h.graph.deleteUser(G.rep)
    await notify(h, [changeItem(h, G.rep, { changeType: 'deleted' })])
    await settled(h)
    t.same(puts(h, 502).at(-1)?.body, { id: 502, active: false })
    t.equal(h.enerflo.user(502)?.active, false)
    h.graph.deleteUser(G.boss)
    await notify(h, [changeItem(h, G.boss)])
    await settled(h)
    t.same(puts(h, 501).at(-1)?.body, { id: 501, active: false }, 'an "updated" for a user Graph no longer has')
  })

  t.test('an unlinked user is parked as unresolved', async (t) => {
    await notify(h, [changeItem(h, G.nolink)])
    await settled(h)
    const status = await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })
    t.same(status.json().unresolved.users.map((u: { userKey: string }) => u.userKey), [`graph:${G.nolink}`])
  })
  t.equal(tokenRequests(h), 2, 'still one token for the jobs')
})

t.test('Graph throttling waits Retry-After and retries without spending an attempt', async (t) => {
  const h = await startGraphHarness(t, { env: { JOB_ATTEMPTS: '1' }, noPublicUrl: true })
  h.graph.inject({ kind: 'throttle', status: 429, retryAfterSec: 1, count: 1, path: `/users/${G.rep}` })
  h.graph.inject({ kind: 'throttle', status: 503, retryAfterSec: 1, count: 1, path: '/transitiveMemberOf' })
  const start = Date.now()
  await notify(h, [changeItem(h, G.rep)])
  await waitFor('the user to be applied', () => h.enerflo.user(502)?.first_name, (v) => v === 'Rey')
  t.ok(Date.now() - start >= 1900, 'waited Retry-After twice')
  t.equal(await h.app.syncQueue.getFailedCount(), 0, 'one attempt allowed, still succeeded')
  const throttled = h.graph.requests().filter((r) => r.path.startsWith(`/v1.0/users/${G.rep}?`))
  t.equal(throttled.length, 3, 'the throttled read, the one after the first wait, the one after the second')
})

t.test('Graph 5xx without Retry-After is retried with backoff', async (t) => {
  const h = await startGraphHarness(t, { env, noPublicUrl: true })
  h.graph.inject({ kind: 'status', status: 502, count: 2, path: `/users/${G.rep}` })
  await notify(h, [changeItem(h, G.rep)])
  await waitFor('the user to be applied', () => h.enerflo.user(502)?.first_name, (v) => v === 'Rey')
  t.equal((await h.app.store.auditTrail(`graph:${G.rep}`))[0]?.attempts, 3)
})

t.test('a wrong client secret: the job waits (no attempt spent) while /status and /readyz say what to fix, secret not shown', async (t) => {
  const h = await startGraphHarness(t, { env: { ...env, GRAPH_CLIENT_SECRET: 'wrong-secret-value-123' }, noPublicUrl: true })
  const ready = await h.app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 503, 'not ready while the credential is known bad')
  await notify(h, [changeItem(h, G.rep)])
  await waitFor('the job to be held', async () => await h.app.syncQueue.getDelayedCount(), (n) => n === 1)
  t.equal(await h.app.syncQueue.getFailedCount(), 0, 'kept queued, not dead-lettered')
  const [held] = await h.app.syncQueue.getDelayed()
  t.equal(held?.attemptsMade, 0, 'no attempt spent')
  const status = await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })
  t.match(status.json().reasons.join(' '), /GRAPH_CLIENT_SECRET/, 'the reason says what to fix')
  t.notMatch(status.body + ready.body, 'wrong-secret-value-123')
  t.equal(tokenRequests(h), 1, 'only the check asked for a token: the held job did not')
})
