/**
 * /status at 3 am: dead letters grouped by what fixes them, with who and the command to run, and
 * jobs that wait to retry after an Enerflo 503, with when they run next. Real Redis, real worker,
 * the Enerflo sandbox answering with the faults a tenant gives.
 */
import t from 'tap'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { oktaUsers, enerfloUsers } from '../helpers/fixtures.js'
import { waitFor } from '../helpers/wait.js'

interface Group { reason: string, code: string, title: string, fix: string, command: string, count: number, users: Array<{ userKey: string, who: string | null, jobId: string, message: string, command: string }> }
interface Status { reasons: string[], failures: { total: number, groups: Group[] }, retrying: { total: number, jobs: Array<{ userKey: string, who: string | null, attemptsMade: number, attempts: number, nextRunAt: string | null, lastError: string | null }> } }

const people = () => {
  const okta = oktaUsers()
  okta.push({ id: '00uextra', status: 'ACTIVE', groups: ['00greps', '00gphx'], profile: { login: 'extra@example.com', email: 'extra@example.com', firstName: 'Ex', lastName: 'Tra', enerfloUserId: '505' } })
  const enerflo = [...enerfloUsers(), { id: 505, first_name: 'Old', last_name: 'Tra', email: 'extra@example.com', active: true, roles: ['Sales Rep'], office_ids: [101], surveys: 0, appointments: 0 }]
  return { okta, enerflo }
}

async function status (h: Harness, query = ''): Promise<Status> {
  const res = await h.app.inject({ method: 'GET', url: `/status${query}`, headers: h.ops })
  if (res.statusCode !== 200) throw new Error(`/status answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

async function deliver (h: Harness, userId: string): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId }]) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}`)
}

const group = (s: Status, reason: string): Group | undefined => s.failures.groups.find((g) => g.reason === reason)

t.test('failures by reason, with who, Enerflo\'s words and the fix; retries with their next run', async (t) => {
  const { okta, enerflo } = people()
  // One worker at a time, so each injected fault meets the PUT it was meant for.
  const h = await startHarness(t, { oktaUsers: okta, enerfloUsers: enerflo, env: { WORKER_CONCURRENCY: '1', JOB_ATTEMPTS: '4', JOB_BACKOFF_MS: '600000' } })

  h.enerflo.inject({ kind: 'status', status: 401, count: 1 })
  await deliver(h, '00urep')
  await waitFor('the API-key failure', async () => await status(h), (s) => group(s, 'enerflo-api-key') !== undefined)
  // Enerflo refuses the setter's phone (its words, as a tenant gives them).
  h.enerflo.inject({ kind: 'status', status: 422, count: 1, body: JSON.stringify({ success: false, message: 'The given data was invalid.', errors: { phone: ['The phone must be a valid 10-digit phone number.'] } }) })
  await deliver(h, '00usetter')
  await waitFor('the phone failure', async () => await status(h), (s) => group(s, 'enerflo-phone') !== undefined)
  h.enerflo.inject({ kind: 'status', status: 422, count: 1, body: JSON.stringify({ success: false, message: 'The given data was invalid.', errors: { email: ['The email has already been taken.'] } }) })
  await deliver(h, '00uboss')
  await waitFor('the email failure', async () => await status(h), (s) => group(s, 'enerflo-email-taken') !== undefined)
  h.enerflo.inject({ kind: 'status', status: 503, count: 1 })
  await deliver(h, '00uextra')
  const s = await waitFor('the 503 retry', async () => await status(h), (s) => s.retrying.total === 1)

  t.equal(s.failures.total, 3)
  t.same(s.failures.groups.map((g) => g.reason).sort(), ['enerflo-api-key', 'enerflo-email-taken', 'enerflo-phone'], 'the API key is not hidden behind the phone error')
  const key = group(s, 'enerflo-api-key') as Group
  t.equal(key.code, 'ENERFLO_REJECTED')
  t.match(key.fix, /fix ENERFLO_API_KEY/)
  t.same(key.users.map((u) => [u.userKey, u.who]), [['okta:00urep', 'Rey Pep']], 'who, by name')
  t.match(key.users[0]?.message, /refused the API key \(HTTP 401\)/)
  t.equal(key.users[0]?.command, `node dist/src/cli.js retry ${key.users[0]?.jobId ?? ''}`, 'the exact command')
  t.equal(key.command, key.users[0]?.command)
  const phone = group(s, 'enerflo-phone') as Group
  t.match(phone.users[0]?.message, /phone must be a valid 10-digit/, 'Enerflo\'s words')
  t.match(phone.fix, /10-digit North American phone number/)
  const taken = group(s, 'enerflo-email-taken') as Group
  t.match(taken.users[0]?.message, /b\*\*\*@example\.com/, 'the email in the reason is masked')
  t.notMatch(JSON.stringify(s), /boss@example\.com|rep@example\.com|setter@example\.com/, 'no raw email anywhere in /status')
  t.notMatch(s.reasons.join('\n'), /see enerflo\.lastFailure/)
  t.match(s.reasons.join('\n'), /3 user\(s\) failed to sync: .*Enerflo refused the API key/)

  const retry = s.retrying.jobs[0]
  t.equal(retry?.userKey, 'okta:00uextra')
  t.equal(retry?.who, 'Ex Tra')
  t.equal(retry?.attemptsMade, 1)
  t.equal(retry?.attempts, 4)
  t.match(retry?.lastError, /HTTP 503/)
  t.ok(Date.parse(retry?.nextRunAt ?? '') > Date.now(), 'next run is in the future')
  t.match(s.reasons.join('\n'), /1 job\(s\) wait to retry after errors \(Enerflo failed on its side \(HTTP 503\)/)

  const revealed = await status(h, '?reveal=true')
  t.match(group(revealed, 'enerflo-email-taken')?.users[0]?.message, /boss@example\.com/, 'reveal=true shows it')

  // A later job that completes clears the user's failure; a discarded dead letter is gone too.
  await deliver(h, '00urep')
  await waitFor('rep cleared', async () => await status(h), (x) => group(x, 'enerflo-api-key') === undefined)
  const discard = await h.app.inject({ method: 'POST', url: '/ops/failed/discard', headers: h.ops, payload: { jobIds: [taken.users[0]?.jobId] } })
  t.equal(discard.json().matched, 1)
  const after = await status(h)
  t.same(after.failures.groups.map((g) => g.reason), ['enerflo-phone'])
  t.equal(after.failures.total, 1)
})
