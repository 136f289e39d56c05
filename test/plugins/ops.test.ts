import t from 'tap'
import { startHarness, delivery, secret, type Harness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import { fannedOut } from '../helpers/deliveries.js'

const json = { 'content-type': 'application/json' }

async function send (h: Harness, userIds: string[]): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery(userIds.map((userId) => ({ type: 'user.account.update_profile', userId }))) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}: ${res.body}`)
}

async function settled (h: Harness): Promise<void> {
  await fannedOut(h.app)
  await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    (c) => Object.values(c).every((n) => n === 0))
}

const OPS_ROUTES: Array<[string, string]> = [
  ['GET', '/status'], ['GET', '/ops/failed'], ['POST', '/ops/failed/retry'], ['POST', '/ops/failed/discard'],
  ['GET', '/ops/unresolved'], ['PUT', '/ops/links/okta/00urep'], ['DELETE', '/ops/links/okta/00urep'], ['POST', '/ops/links/import'],
  ['GET', '/ops/users/okta/00urep'], ['GET', '/ops/preview/okta/00urep']
]

t.test('every operator route needs the ops token; without OPS_TOKEN they are off', async (t) => {
  const h = await startHarness(t)
  const wrongSameLength = `Bearer ${'x'.repeat((h.ops.authorization ?? '').length - 7)}`
  // Each route from its own address: more than 30 failures from one address are throttled (429).
  for (const [i, [method, url]] of OPS_ROUTES.entries()) {
    const remoteAddress = `10.0.0.${i + 1}`
    for (const authorization of [undefined, 'Bearer nope', wrongSameLength, (h.ops.authorization ?? '').slice(7)]) {
      const hasBody = method === 'POST' || method === 'PUT'
      const res = await h.app.inject({ method: method as 'GET', url, remoteAddress, headers: { ...(hasBody ? json : {}), ...(authorization !== undefined ? { authorization } : {}) }, ...(hasBody ? { payload: {} } : {}) })
      t.equal(res.statusCode, 401, `${method} ${url} with ${authorization === undefined ? 'no' : 'a wrong'} token`)
    }
  }
  const off = await h.buildAnother({ OPS_TOKEN: '' })
  for (const [method, url] of OPS_ROUTES) {
    const res = await off.inject({ method: method as 'GET', url, headers: h.ops })
    t.equal(res.statusCode, 404, `${method} ${url} is off without OPS_TOKEN`)
    t.equal(res.json().code, 'OPS_OFF')
  }
  const health = await off.inject({ method: 'GET', url: '/readyz' })
  t.same(health.json(), { status: 'ready' }, 'readiness never shows details')
})

t.test('dead letters: list, filter, page, dry run, retry with current state, discard', async (t) => {
  const h = await startHarness(t, { env: { JOB_BACKOFF_MS: '50' } })
  // Two permanent failures: both take an email another Enerflo user holds.
  h.directory.updateProfile('00usetter', { email: 'new@example.com' })
  h.directory.updateProfile('00urep', { email: 'boss@example.com' })
  await send(h, ['00usetter', '00urep'])
  await waitFor('two failures', async () => await h.app.syncQueue.getFailedCount(), (n) => n === 2)
  const get = async (url: string) => await h.app.inject({ method: 'GET', url, headers: h.ops })

  const all = await get('/ops/failed')
  t.equal(all.statusCode, 200)
  t.equal(all.json().total, 2)
  const setter = all.json().jobs.find((j: { userKey: string }) => j.userKey === 'okta:00usetter')
  t.match(setter, { source: 'okta', userId: '00usetter', code: 'ENERFLO_REJECTED', reason: /already taken/ })
  const taken = all.json().jobs.find((j: { userKey: string }) => j.userKey === 'okta:00urep')?.reason
  t.match(taken, /already taken/)
  t.match(taken, 'b***@example.com', 'the email in the reason is masked')
  t.notMatch(taken, 'boss@example.com')
  t.match((await get('/ops/failed?reveal=true&code=ENERFLO_REJECTED')).json().jobs.map((j: { reason: string }) => j.reason).join(), 'boss@example.com', '… unless revealed')
  t.equal((await get('/ops/failed?code=ENERFLO_REJECTED&limit=1')).json().jobs.length, 1, 'paged')
  t.equal((await get('/ops/failed?code=ENERFLO_REJECTED&limit=1&offset=1')).json().jobs.length, 1)
  t.equal((await get('/ops/failed?source=graph')).json().total, 0)
  t.equal((await get(`/ops/failed?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json().total, 0)
  for (const bad of ['?limit=0', '?limit=abc', '?code=lower', '?since=yesterday', '?source=ldap', '?extra=1']) {
    t.equal((await get(`/ops/failed${bad}`)).statusCode, 400, `bad filter ${bad}`)
  }

  const putsBefore = h.enerflo.requests().length
  const dry = await h.app.inject({ method: 'POST', url: '/ops/failed/retry', headers: { ...json, ...h.ops }, payload: { code: 'ENERFLO_REJECTED', dryRun: true } })
  t.same(dry.json().matched, 2)
  t.equal(dry.json().dryRun, true)
  // A real retry enqueues and removes before it answers, so Redis shows a dry run's effect at once.
  t.equal(await h.app.syncQueue.getFailedCount(), 2, 'a dry run changes nothing in Redis')
  t.same(await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), { waiting: 0, active: 0, delayed: 0, prioritized: 0 }, '… queues no job')
  const none = await h.app.inject({ method: 'POST', url: '/ops/failed/retry', headers: { ...json, ...h.ops }, payload: {} })
  t.equal(none.statusCode, 400, 'retry without ids or a filter is refused')

  // The admin fixes the cause at the provider; the retry reads the user again.
  h.directory.updateProfile('00usetter', { email: 'setter.new@example.com', lastName: 'Fixed' })
  const retry = await h.app.inject({ method: 'POST', url: '/ops/failed/retry', headers: { ...json, ...h.ops }, payload: { jobIds: [setter.jobId] } })
  t.same(retry.json(), { dryRun: false, matched: 1, jobIds: [setter.jobId] })
  await settled(h)
  t.match(h.enerflo.user(503), { email: 'setter.new@example.com', last_name: 'Fixed' }, 'the retry applied the current state')
  // The retried job has run: the dry run, had it sent anything, would show here too.
  t.same(h.enerflo.requests().slice(putsBefore).map((r) => r.userId), [503], 'the dry run sent nothing; the retry one PUT')
  t.equal(await h.app.syncQueue.getFailedCount(), 1)

  const discard = await h.app.inject({ method: 'POST', url: '/ops/failed/discard', headers: { ...json, ...h.ops }, payload: { source: 'okta' } })
  t.equal(discard.json().matched, 1)
  t.equal(await h.app.syncQueue.getFailedCount(), 0)
})

t.test('unresolved users, links and bulk import', async (t) => {
  const extra = [
    { id: '00ua1', status: 'ACTIVE', groups: ['00greps'], profile: { login: 'a1@example.com', email: 'a1@example.com', firstName: 'A', lastName: 'One' } },
    { id: '00ua2', status: 'ACTIVE', groups: ['00greps'], profile: { login: 'a2@example.com', email: 'a2@example.com', firstName: 'A', lastName: 'Two' } }
  ]
  const { oktaUsers, enerfloUsers } = await import('../helpers/fixtures.js')
  const e = enerfloUsers()
  e.push({ id: 601, first_name: 'x', last_name: 'x', email: 'a1@example.com', active: true, roles: ['Sales Rep'], office_ids: [101], surveys: 0, appointments: 0 })
  e.push({ id: 602, first_name: 'x', last_name: 'x', email: 'a2@example.com', active: true, roles: ['Sales Rep'], office_ids: [101], surveys: 0, appointments: 0 })
  const h = await startHarness(t, { oktaUsers: [...oktaUsers(), ...extra], enerfloUsers: e })
  await send(h, ['00unolink', '00ua1', '00ua2'])
  await settled(h)
  const list = await h.app.inject({ method: 'GET', url: '/ops/unresolved?limit=2', headers: h.ops })
  t.equal(list.json().total, 3)
  t.equal(list.json().users.length, 2, 'paged')
  t.match(list.json().users[0], { source: 'okta', userId: String, since: String })

  const csv = 'source,idp_user_id,enerflo_user_id\nokta,00ua1,601\nokta,00ua2,not-a-number\nldap,00ux,5\nokta,00ua1,602\n"okta","00unolink","504"\n'
  const res = await h.app.inject({ method: 'POST', url: '/ops/links/import', headers: { 'content-type': 'text/csv', ...h.ops }, payload: csv })
  t.equal(res.statusCode, 200)
  t.equal(res.json().accepted, 2)
  t.same(res.json().rejected.map((r: { row: number }) => r.row), [2, 3, 4])
  t.match(res.json().rejected[0].reason, /positive integer/)
  t.match(res.json().rejected[2].reason, /more than once/)
  const asJson = await h.app.inject({ method: 'POST', url: '/ops/links/import', headers: { ...json, ...h.ops }, payload: [{ source: 'okta', idpUserId: '00ua2', enerfloUserId: 602 }, { source: 'okta', idpUserId: 'bad id!', enerfloUserId: 1 }, 'nope'] })
  t.equal(asJson.json().accepted, 1)
  t.equal(asJson.json().rejected.length, 2)
  await settled(h)
  t.equal(h.enerflo.user(601)?.first_name, 'A', 'imported links are queued and synced')
  t.equal(h.enerflo.user(602)?.last_name, 'Two')
  t.equal(h.enerflo.user(504)?.first_name, 'New')
  t.equal((await h.app.inject({ method: 'GET', url: '/ops/unresolved', headers: h.ops })).json().total, 0)
  const del = await h.app.inject({ method: 'DELETE', url: '/ops/links/okta/00ua1', headers: h.ops })
  t.equal(del.statusCode, 204)
  const user = await h.app.inject({ method: 'GET', url: '/ops/users/okta/00ua1', headers: h.ops })
  t.equal(user.json().enerfloUserId, null, 'the link is gone')
})

t.test('audit trail masks personal data unless revealed; preview sends nothing', async (t) => {
  const h = await startHarness(t)
  await send(h, ['00urep'])
  await settled(h)
  h.directory.updateProfile('00urep', { mobilePhone: '602-555-0177' })
  await send(h, ['00urep'])
  await settled(h)
  const masked = await h.app.inject({ method: 'GET', url: '/ops/users/okta/00urep', headers: h.ops })
  t.equal(masked.statusCode, 200)
  const body = masked.json()
  t.equal(body.enerfloUserId, 502)
  t.equal(body.audit.length, 2)
  t.same(body.audit[0].changes, { phone: { from: '******0101', to: '******0177' } }, 'old → new, masked')
  t.equal(body.applied.email, 'r***@example.com')
  t.notMatch(masked.body, 'rep@example.com')
  const revealed = await h.app.inject({ method: 'GET', url: '/ops/users/okta/00urep?reveal=true', headers: h.ops })
  t.same(revealed.json().audit[0].changes, { phone: { from: '4805550101', to: '6025550177' } })
  t.equal((await h.app.inject({ method: 'GET', url: '/ops/users/okta/00unknown', headers: h.ops })).statusCode, 404)
  t.equal((await h.app.inject({ method: 'GET', url: '/ops/users/okta/00urep?reveal=maybe', headers: h.ops })).statusCode, 400)

  const before = h.enerflo.requests().length
  const auditBefore = body.audit.length
  h.directory.updateProfile('00urep', { firstName: 'Reynaldo' })
  const preview = await h.app.inject({ method: 'GET', url: '/ops/preview/okta/00urep', headers: h.ops })
  t.same(preview.json().wouldSend, { id: 502, first_name: 'Reynaldo' })
  t.equal(preview.json().outcome, 'send')
  const unchanged = await h.app.inject({ method: 'GET', url: '/ops/preview/okta/00uboss', headers: h.ops })
  t.equal(unchanged.json().outcome, 'send', 'never synced: the whole state would go')
  const parked = await h.app.inject({ method: 'GET', url: '/ops/preview/okta/00unolink', headers: h.ops })
  t.match(parked.json(), { outcome: 'unresolved', wouldSend: null, reason: /no Enerflo user id/ })
  t.equal(h.enerflo.requests().length, before, 'preview made no Enerflo call')
  t.equal((await h.app.store.auditTrail('okta:00urep')).length, auditBefore, 'and recorded nothing')
  t.equal((await h.app.inject({ method: 'GET', url: '/ops/preview/graph/x', headers: h.ops })).statusCode, 404, 'an unconfigured source')
})

t.test('shadow mode makes no Enerflo write and records the would-be PUT', async (t) => {
  const h = await startHarness(t, { env: { SYNC_MODE: 'shadow' } })
  await send(h, ['00urep'])
  await settled(h)
  t.equal(h.enerflo.requests().length, 0, 'no write')
  const trail = await h.app.store.auditTrail('okta:00urep')
  t.equal(trail[0]?.outcome, 'shadow')
  t.match(trail[0]?.wouldSend, { id: 502, first_name: 'Rey', roles: ['Sales Rep'] })
  await send(h, ['00urep'])
  await settled(h)
  t.equal((await h.app.store.auditTrail('okta:00urep'))[0]?.outcome, 'shadow', 'the baseline was not advanced: it would still send')
})

t.test('metrics change as traffic flows; optional METRICS_TOKEN; OpenAPI document', async (t) => {
  const metricsToken = secret()
  const h = await startHarness(t, { env: { METRICS_TOKEN: metricsToken } })
  const scrape = async (): Promise<string> => (await h.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } })).body
  t.equal((await h.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401)
  const before = await scrape()
  t.notMatch(before, /enerflo_sync_jobs_total\{outcome="applied"\} 1/)
  await send(h, ['00urep'])
  await settled(h)
  await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: 'wrong' }, payload: {} })
  const after = await scrape()
  t.match(after, /enerflo_sync_webhook_requests_total\{source="okta",status="200"\} 1/)
  t.match(after, /enerflo_sync_webhook_requests_total\{source="okta",status="401"\} 1/)
  t.match(after, /enerflo_sync_events_total\{source="okta",type="user.account.update_profile",outcome="queued"\} 1/)
  t.match(after, /enerflo_sync_jobs_total\{outcome="applied"\} 1/)
  t.match(after, /enerflo_sync_enerflo_requests_total\{status="200"\} 1/)
  t.match(after, /enerflo_sync_event_to_applied_seconds_count 1/)
  t.match(after, /enerflo_sync_queue_jobs\{state="completed"\} 1/)
  t.match(after, /enerflo_sync_enerflo_budget_remaining 298/, 'one read by the start-up credential check, one PUT')
  t.match(after, /enerflo_sync_unresolved_users 0/)

  const doc = await h.app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(doc.statusCode, 200)
  const paths = Object.keys(doc.json().paths)
  for (const p of ['/webhooks/okta', '/status', '/ops/failed', '/ops/failed/retry', '/ops/unresolved', '/ops/links/import', '/ops/users/{source}/{idpUserId}', '/ops/preview/{source}/{idpUserId}']) {
    t.ok(paths.includes(p), `OpenAPI has ${p}`)
  }
  t.equal((await h.app.inject({ method: 'GET', url: '/docs' })).statusCode < 400, true, '/docs serves the UI')
})
