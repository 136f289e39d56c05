/**
 * A field cleared at the provider (issue 14 item 6): a phone removed in Okta, a manager removed in
 * Entra. Enerflo keeps what it holds (nothing is sent for the field, never an empty value), the
 * user's other changes still go, and the audit names the field and why, never the value.
 */
import t from 'tap'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { changeItem, startGraphHarness, type GraphHarness } from '../helpers/graph-harness.js'
import { G } from '../helpers/graph-fixtures.js'
import { waitFor } from '../helpers/wait.js'
import { clearedNotes } from '../../src/sync/cleared.js'
import { fannedOut } from '../helpers/deliveries.js'

async function settled (h: Harness): Promise<void> {
  await fannedOut(h.app)
  await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), (c) => Object.values(c).every((n) => n === 0))
}

const puts = (h: Harness, id: number) => h.enerflo.requests().filter((r) => r.userId === id)

t.test('Okta: the phone and the manager removed, the last name changed: only the last name is sent', async (t) => {
  const h = await startHarness(t)
  const send = async (): Promise<void> => {
    const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep' }]) })
    t.equal(res.statusCode, 200)
    await settled(h)
  }
  await send()
  t.match(h.enerflo.user(502), { phone: '4805550101', manager_email: 'boss@example.com' })
  h.directory.updateProfile('00urep', { mobilePhone: null, managerEmail: '', lastName: 'Pepper' })
  await send()
  t.same(puts(h, 502).at(-1)?.body, { id: 502, last_name: 'Pepper' }, 'no phone, no manager_email: not even an empty one')
  t.match(h.enerflo.user(502), { last_name: 'Pepper', phone: '4805550101', manager_email: 'boss@example.com' }, 'Enerflo keeps both')
  const notes = (await h.app.store.auditTrail('okta:00urep'))[0]?.notes?.join('\n') ?? ''
  t.match(notes, /phone: the provider no longer has one; Enerflo keeps the one sent before \(Enerflo takes a 10-digit phone and documents no way to remove one/)
  t.match(notes, /manager_email: the provider no longer has one; Enerflo keeps the one sent before/)
  t.notMatch(notes, /4805550101|boss@example\.com/, 'the notes name fields, not values')
  const preview = await h.app.inject({ method: 'GET', url: '/ops/preview/okta/00urep', headers: h.ops })
  t.match(preview.json(), { outcome: 'unchanged', notes: [/phone: the provider no longer has one/] }, 'the preview says it too')
})

t.test('Entra: the manager removed; Enerflo keeps it and the audit says so', async (t) => {
  const h: GraphHarness = await startGraphHarness(t, { env: { JOB_BACKOFF_MS: '50' }, noPublicUrl: true })
  const notify = async (): Promise<void> => {
    const res = await h.post({ value: [changeItem(h, G.rep)] })
    t.equal(res.statusCode, 202)
    await settled(h)
  }
  await notify()
  t.equal(h.enerflo.user(502)?.manager_email, 'boss@example.com')
  const before = puts(h, 502).length
  h.graph.setManager(G.rep, undefined)
  await notify()
  t.equal(puts(h, 502).length, before, 'nothing to send')
  t.equal(h.enerflo.user(502)?.manager_email, 'boss@example.com')
  const [last] = await h.app.store.auditTrail(`graph:${G.rep}`)
  t.equal(last?.outcome, 'unchanged')
  t.match(last?.notes?.join('\n'), /manager_email: the provider no longer has one; Enerflo keeps the one sent before \(Enerflo documents no way to unset a manager/)
})

t.test('clearedNotes: only fields sent before and missing now', async (t) => {
  t.same(clearedNotes(undefined, {}), [], 'never applied: nothing was cleared')
  t.same(clearedNotes({ phone: '4805550101', first_name: 'A' }, { first_name: 'A' }).map((n) => n.split(':')[0]), ['phone'])
  t.same(clearedNotes({ roles: ['Setter'], office_ids: [101] }, {}), [], 'roles and offices are the mapping\'s (groups)')
})
