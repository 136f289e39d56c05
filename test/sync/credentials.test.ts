/**
 * Credential checks against the simulators' real HTTP and a real Redis: a wrong Okta token or
 * Enerflo key makes /readyz 503 and /status name it with its fix; events sent meanwhile wait
 * (delayed, no attempt spent) and are applied once a check finds the credential right again.
 */
import t from 'tap'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { delivery, startHarness, type Harness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'

const WRONG = 'wrong-credential-7f3a9c'

async function doctor (app: FastifyInstance, h: Harness): Promise<{ ok: boolean, checks: Array<Record<string, unknown>> }> {
  const res = await app.inject({ method: 'POST', url: '/ops/doctor', headers: h.ops })
  if (res.statusCode !== 200) throw new Error(`doctor answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

async function send (h: Harness, userId: string): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId }]) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}`)
}

/** A wrong credential held the event: the job is delayed with no attempt spent, nothing failed or applied. */
async function heldAndRecovered (t: Test, h: Harness, bad: FastifyInstance, name: string, fix: RegExp): Promise<void> {
  const report = await doctor(bad, h)
  t.equal(report.ok, false, 'the doctor route says a check failed')
  const check = report.checks.find((c) => c['name'] === name)
  t.match(check, { ok: false, status: 401, blocking: true }, `${name} is refused`)
  t.match(check?.['fix'], fix, 'with its fix')
  t.ok(report.checks.filter((c) => c['name'] !== name).every((c) => c['ok'] === true), 'the other credentials pass')
  for (const app of [h.app, bad]) {
    const ready = await app.inject({ method: 'GET', url: '/readyz' })
    t.equal(ready.statusCode, 503, 'not ready in any process: the verdict is shared through Redis')
    t.match(ready.json().status, new RegExp(`credential does not work: ${name}`))
  }
  const status = await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })
  const body = status.json()
  t.equal(body.status, 'degraded')
  t.match(body.credentials.find((c: { name: string }) => c.name === name), { ok: false, blocking: true })
  t.ok((body.reasons as string[]).some((r) => r.includes(`the ${name} credential check failed`) && fix.test(r)), 'a reason names it with the fix')
  t.notMatch(status.body + JSON.stringify(report), WRONG, 'the wrong secret itself is never shown')

  await send(h, '00urep')
  const counts = await waitFor('the job to be held', async () => await h.app.syncQueue.getJobCounts('delayed', 'failed', 'completed'), (c) => c['delayed'] === 1)
  t.same(counts, { delayed: 1, failed: 0, completed: 0 }, 'the event waits: not failed, not applied')
  const [job] = await h.app.syncQueue.getDelayed()
  t.equal(job?.attemptsMade, 0, 'no attempt was spent')
  t.equal(h.enerflo.user(502)?.first_name, 'Old', 'nothing was written')

  // The credential is fixed (a restart with the right value) and checked again.
  await bad.close()
  const good = await h.buildAnother({ SERVICE_ROLE: 'all' })
  t.equal((await doctor(good, h)).ok, true, 'every check passes now')
  await waitFor('the held event to be applied', () => h.enerflo.user(502)?.first_name, (n) => n === 'Rey')
  t.equal((await h.app.syncQueue.getJobCounts('failed'))['failed'], 0, 'and nothing was dead-lettered')
  t.equal((await h.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'ready again')
  t.same((await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).json().credentials.map((c: { ok: boolean }) => c.ok), [true, true])
}

t.test('a wrong Okta token: not ready, named with its fix; events wait and are applied once it is right', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  await h.app.credentials.idle()
  const bad = await h.buildAnother({ OKTA_API_TOKEN: WRONG, SERVICE_ROLE: 'all' })
  await heldAndRecovered(t, h, bad, 'okta', /OKTA_API_TOKEN is refused: create a new API token in Okta \(Security → API → Tokens\).*leave out SSWS.*30 days unused and die with the admin/)
})

t.test('a wrong Enerflo key likewise', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  await h.app.credentials.idle()
  const bad = await h.buildAnother({ ENERFLO_API_KEY: WRONG, SERVICE_ROLE: 'all' })
  await heldAndRecovered(t, h, bad, 'enerflo', /ENERFLO_API_KEY is refused/)
})

t.test('an unreachable Okta is reported with the address but holds nothing: the usual retries apply', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  await h.directory.close()
  const report = await doctor(h.app, h)
  const okta = report.checks.find((c) => c['name'] === 'okta')
  t.match(okta, { ok: false, status: 0, code: 'OKTA_UNAVAILABLE', blocking: false })
  t.match(okta?.['fix'], /^cannot reach Okta at http:\/\/127\.0\.0\.1:\d+: check the URL \(OKTA_ORG_URL\) and the network$/)
  t.equal((await h.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'an outage is not a reason to take the receivers out')
  const reasons = (await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).json().reasons as string[]
  t.ok(reasons.some((r) => /^the okta credential check failed \(OKTA_UNAVAILABLE 0\); fix: cannot reach Okta/.test(r)), '/status says so')
})

t.test('the demo directory\'s hooks over HTTP rehearse a refused token; its own API changes a user', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  await h.app.credentials.idle()
  const sso = { authorization: `SSWS ${h.config.okta?.apiToken ?? ''}`, 'content-type': 'application/json' }
  const base = h.config.okta?.orgUrl ?? ''
  const hook = await fetch(`${base}/__sandbox/faults`, { method: 'POST', headers: sso, body: JSON.stringify({ status: 401, count: 1, path: '/api/v1/users?limit=1' }) })
  t.equal(hook.status, 200)
  t.equal((await fetch(`${base}/__sandbox/faults`, { method: 'POST', headers: sso, body: '{"status":200}' })).status, 400, 'a fault must fail')
  t.equal((await fetch(`${base}/__sandbox/faults`, { method: 'POST', body: '{}' })).status, 401, 'the hooks need the token')
  t.match((await doctor(h.app, h)).checks.find((c) => c['name'] === 'okta'), { ok: false, status: 401, blocking: true }, 'the check meets the refused token')
  t.equal((await doctor(h.app, h)).ok, true, 'the fault is spent: the next check passes')
  await fetch(`${base}/__sandbox/faults`, { method: 'POST', headers: sso, body: JSON.stringify({ status: 503, count: 5 }) })
  t.equal((await fetch(`${base}/__sandbox/faults`, { method: 'DELETE', headers: sso })).status, 200)
  const change = await fetch(`${base}/api/v1/users/00urep`, { method: 'POST', headers: sso, body: JSON.stringify({ profile: { firstName: 'Reina' } }) })
  t.equal(change.status, 200, 'faults cleared; Okta\'s own API changes the demo user')
  t.equal(((await change.json()) as { profile: { firstName: string } }).profile.firstName, 'Reina')
})
