import t from 'tap'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { manyUsers } from '../helpers/fixtures.js'
import { waitFor } from '../helpers/wait.js'

const json = { 'content-type': 'application/json' }

async function okta (h: Harness, type: string, userIds: string[]): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery(userIds.map((userId) => ({ type, userId }))) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}: ${res.body}`)
}

t.test('a deactivation takes the budget slot kept for it while a backlog waits for the next window', async (t) => {
  const { okta: people, enerflo } = manyUsers(12)
  // 6 a minute keeps one slot for deactivations; the start-up credential check spent one read.
  const h = await startHarness(t, { oktaUsers: people, enerfloUsers: enerflo, rateLimit: { max: 6, windowMs: 60_000 }, env: { WORKER_CONCURRENCY: '1' } })
  t.equal((await h.app.budget.state()).used, 1)
  await okta(h, 'user.account.update_profile', people.slice(0, 10).map((p) => p.id))
  // The backlog has spent its share (1 read + 4 PUTs); the other six wait for the next window.
  await waitFor('the backlog to spend its share', async () => (await h.app.budget.state()).used, (n) => n === 5)

  h.directory.setStatus('00um11', 'SUSPENDED')
  const sent = Date.now()
  await okta(h, 'user.lifecycle.suspend', ['00um11'])
  await waitFor('the deactivation', () => h.enerflo.user(1011)?.active, (a) => a === false, 10_000)
  t.ok(Date.now() - sent < 10_000, `applied in ${Date.now() - sent} ms, within the window the backlog has used up`)
  const puts = h.enerflo.requests().filter((r) => r.status === 200)
  t.same(puts.map((r) => r.userId).slice(-1), [1011], 'the last write is the deactivation')
  t.equal(puts.length, 5, 'four backlog writes and the deactivation')
  t.equal((await h.app.budget.state()).used, 6, 'the whole budget, and no more')
  // Waiting, or stepped aside (delayed) for the budget, or the one a worker holds at this moment.
  const left = Object.values(await h.app.syncQueue.getJobCounts('wait', 'delayed', 'prioritized', 'active')).reduce((a, b) => a + b, 0)
  t.equal(left, 6, 'the rest of the backlog still waits for the next window')
})
