import t from 'tap'
import { main } from '../src/cli/main.js'
import { renderHolds } from '../src/cli/holds.js'
import { startHarness, delivery, type Harness } from './helpers/harness.js'
import { manyUsers } from './helpers/fixtures.js'
import { waitFor } from './helpers/wait.js'
import { fannedOut } from './helpers/deliveries.js'

interface Run { code: number, out: string, err: string }

const FIVE = ['00um0', '00um1', '00um2', '00um3', '00um4']
const json = { 'content-type': 'application/json' }

async function okta (h: Harness, type: string, userIds: string[]): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery(userIds.map((userId) => ({ type, userId }))) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}: ${res.body}`)
}

const settled = async (h: Harness): Promise<void> => {
  await fannedOut(h.app)
  await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), (c) => Object.values(c).every((n) => n === 0), 30_000)
}

t.test('holds: list, status line, dry runs, release, and the refusals', async (t) => {
  const { okta: people, enerflo } = manyUsers(20)
  const h = await startHarness(t, { oktaUsers: people, enerfloUsers: enerflo, env: { BRAKE_MAX_PERCENT: '10', BRAKE_MIN_USERS: '2', WORKER_CONCURRENCY: '1' } })
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const addr = h.app.server.address()
  const env = { ENERFLO_SYNC_URL: `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`, OPS_TOKEN: h.config.OPS_TOKEN }
  const run = async (...argv: string[]): Promise<Run> => {
    let out = ''
    let err = ''
    const code = await main(argv, { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } }, env })
    return { code, out, err }
  }

  const none = await run('holds')
  t.equal(none.code, 0, none.err)
  t.equal(none.out, 'no holds: the brake has held nothing\n')
  t.match((await run('status')).out, /\nholds +none waiting\n/)

  await okta(h, 'user.account.update_profile', people.map((p) => p.id))
  await settled(h)
  for (const id of FIVE) h.directory.setStatus(id, 'SUSPENDED')
  await okta(h, 'user.lifecycle.suspend', FIVE)
  await settled(h)

  const list = await run('holds')
  t.equal(list.code, 0, list.err)
  t.match(list.out, /^hold 1 {2}OPEN since \S+ \(\d+s ago\) {2}3 users waiting\n {2}reason: 3 destructive changes within 1 h: more than 10% of 20 linked users and more than 2 \(limit 2\)\n/)
  t.match(list.out, /\n {2}USER +ENERFLO +HELD CHANGE +HELD AT\n {2}okta:00um\d +10\d\d +deactivate +\S+/)
  t.match(list.out, /review, then: enerflo-user-sync holds release 1 {2}\| {2}enerflo-user-sync holds discard 1/)
  const asJson = JSON.parse((await run('holds', '--json')).out)
  t.equal(asJson.open, '1')
  t.equal(asJson.holds[0].users.length, 3)

  const status = await run('status')
  t.match(status.out, /\nholds +hold 1 WAITING: 3 user\(s\) since \S+ \(\d+s ago\) · 3 destructive changes within .* · review, then: enerflo-user-sync holds release 1/)

  const dry = await run('holds', 'release', '1', '--dry-run')
  t.equal(dry.code, 0, dry.err)
  t.match(dry.out, /^would release hold 1 \(dry run: nothing changed\), 3 users; each would be synced in the deactivate lane/)
  t.equal((await h.app.inject({ method: 'GET', url: '/ops/holds', headers: h.ops })).json().open, '1', 'the dry run left the hold open')

  const released = await run('holds', 'release', '1')
  t.equal(released.code, 0, released.err)
  t.equal(released.out, 'released hold 1: 3 users, 3 queued in the deactivate lane (each applies what the provider says now)\n')
  await settled(h)
  for (const id of FIVE) t.equal(h.enerflo.user(1000 + Number(id.slice(4)))?.active, false, `${id} deactivated`)
  t.match((await run('holds')).out, /^hold 1 {2}released \S+ \(\d+s ago\) {2}3 users {2}\(began /)
  t.match((await run('status')).out, /\nholds +none waiting\n/)

  const again = await run('holds', 'discard', '1')
  t.equal(again.code, 1)
  t.match(again.err, /409 OPS_CONFLICT: hold 1 is already released/)
  const dryAgain = await run('holds', 'discard', '1', '--dry-run')
  t.equal(dryAgain.code, 1)
  t.equal(dryAgain.out, 'hold 1 is already released: nothing to discard\n')
  const unknown = await run('holds', 'release', '77')
  t.equal(unknown.code, 1)
  t.match(unknown.err, /not found: no hold 77/)
  for (const [argv, message] of [[['holds', 'free', '1'], /unknown holds action "free"/], [['holds', 'release'], /missing the hold id/], [['holds', 'release', 'x1'], /a hold id is a number/], [['holds', 'release', '1', '2'], /unexpected 2/]] as const) {
    const r = await run(...argv)
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.err, message)
  }
})

t.test('renderHolds cleans what came from the service', async (t) => {
  const text = renderHolds({ open: '2', holds: [{ id: '2', state: 'open', reason: 'why\u001b[2J', createdAt: '2026-01-01T00:00:00.000Z', finishedAt: null, users: [{ userKey: 'okta:\u001b]0;x', enerfloId: 7, at: '2026-01-01T00:00:00.000Z', deactivate: false, removedRoles: ['Setter'] }] }] }, Date.parse('2026-01-01T00:01:00.000Z'))
  t.notOk(text.includes(String.fromCharCode(27)), 'no escape character reaches the terminal')
  t.match(text, /remove Setter/)
})
