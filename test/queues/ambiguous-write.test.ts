/**
 * The chaos run's stale values, reduced to one user and no randomness: a PUT the client gave up
 * on (timeout) that Enerflo applies all the same. Its fields are "in doubt" until a 2xx, so they
 * are sent again even when the provider is back to the baseline's value, and the retry waits
 * past the client timeout so that it cannot land before the abandoned PUT.
 */
import t from 'tap'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import { fannedOut } from '../helpers/deliveries.js'

const json = { 'content-type': 'application/json' }

async function announce (h: Harness, type: string): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery([{ type, userId: '00urep' }]) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}`)
}

async function settled (h: Harness): Promise<void> {
  await fannedOut(h.app)
  await waitFor('the queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    (c) => Object.values(c).every((n) => n === 0), 20_000)
}

t.test('a deactivation Enerflo applied after the client timed out is undone when the user is reactivated', async (t) => {
  // ENERFLO_TIMEOUT_MS is 1000 in the harness; the retry comes after 1–2 s of backoff.
  const h = await startHarness(t, { env: { JOB_BACKOFF_MS: '2000' } })
  await announce(h, 'user.account.update_profile')
  await waitFor('the first sync', () => h.enerflo.user(502)?.first_name, (v) => v === 'Rey')
  await settled(h)
  t.equal(h.enerflo.user(502)?.active, true, 'synced and active; the baseline says active: true')

  // Deactivated at Okta; Enerflo takes 1.5 s to answer the PUT {active: false}: the client gives
  // up at 1 s, Enerflo applies it at 1.5 s.
  h.enerflo.inject({ kind: 'latency', ms: 1500, count: 1 })
  h.directory.setStatus('00urep', 'DEPROVISIONED')
  await announce(h, 'user.lifecycle.deactivate')
  await waitFor('the PUT {active: false} to reach Enerflo', () => h.enerflo.requests().filter((r) => r.userId === 502).length, (n) => n === 2)
  // Reactivated at Okta while that PUT is still in Enerflo's hands.
  h.directory.setStatus('00urep', 'ACTIVE')
  await announce(h, 'user.lifecycle.reactivate')
  await settled(h)
  // The jobs are done, and Enerflo has answered every PUT it got (the abandoned one too): nothing
  // is left that could still change the user.
  await waitFor('Enerflo to answer every PUT', () => h.enerflo.requests().filter((r) => r.userId === 502 && r.status === 0).length, (n) => n === 0)

  const puts = h.enerflo.requests().filter((r) => r.userId === 502)
  t.match(puts[1], { body: { active: false }, status: 200 }, 'Enerflo applied the PUT the client had given up on')
  t.ok((puts[1]?.durationMs ?? 0) > 1000, 'after the client timeout')
  t.equal(h.enerflo.user(502)?.active, true, 'Okta says ACTIVE, so Enerflo must say active: true')
  t.equal(h.enerflo.maxConcurrentPerUser(), 1, 'the retry did not overlap the abandoned PUT')
  t.equal((await h.app.store.get('okta:00urep')).inDoubt, undefined, 'nothing in doubt after a 2xx')
})

t.test('fields of a PUT that got no answer stay in doubt and are sent again', async (t) => {
  const h = await startHarness(t, { env: { JOB_BACKOFF_MS: '50', JOB_ATTEMPTS: '1' } })
  await announce(h, 'user.account.update_profile')
  await settled(h)
  // The connection drops: no answer, one attempt allowed, so the job fails with the fields in doubt.
  h.enerflo.inject({ kind: 'drop', count: 1 })
  h.directory.updateProfile('00urep', { lastName: 'Dropped' })
  await announce(h, 'user.account.update_profile')
  await waitFor('the failure', async () => await h.app.syncQueue.getFailedCount(), (n) => n === 1)
  t.same((await h.app.store.get('okta:00urep')).inDoubt, { last_name: 'Dropped' })
  // The provider goes back to the old value: the baseline matches it, the doubt does not.
  h.directory.updateProfile('00urep', { lastName: 'Pep' })
  await announce(h, 'user.account.update_profile')
  await settled(h)
  t.same(h.enerflo.requests().filter((r) => r.userId === 502).at(-1)?.body, { id: 502, last_name: 'Pep' }, 'sent again although the baseline already says Pep')
  t.equal((await h.app.store.get('okta:00urep')).inDoubt, undefined)
})
