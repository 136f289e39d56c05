import t from 'tap'
import { startHarness, type Harness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import { fannedOut } from '../helpers/deliveries.js'

const json = { 'content-type': 'application/json' }

async function settled (h: Harness): Promise<void> {
  await fannedOut(h.app)
  await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    (c) => Object.values(c).every((n) => n === 0))
}

const put = async (h: Harness, source: string, id: string, enerfloUserId: number) =>
  await h.app.inject({ method: 'PUT', url: `/ops/links/${source}/${id}`, headers: { ...json, ...h.ops }, payload: { enerfloUserId } })

t.test('a link is stored only for a user the provider knows, and only once per Enerflo user', async (t) => {
  const h = await startHarness(t)
  const typo = await put(h, 'okta', '00utypo0000000000001', 504)
  t.equal(typo.statusCode, 404, 'an id Okta does not know is refused')
  t.match(typo.json(), { code: 'OPS_NOT_FOUND', message: /okta does not know user 00utypo0000000000001/ })
  t.equal((await h.app.store.get('okta:00utypo0000000000001')).enerfloId, undefined, 'nothing stored')
  t.equal(h.enerflo.user(504)?.active, true)

  t.equal((await put(h, 'okta', '00unolink', 504)).statusCode, 200)
  const second = await put(h, 'okta', '00urep', 504)
  t.equal(second.statusCode, 409, 'a second identity for the same Enerflo user is refused')
  t.match(second.json(), { code: 'OPS_CONFLICT', message: /already linked to okta:00unolink/ })
  t.equal((await put(h, 'okta', '00unolink', 504)).statusCode, 200, 'the same link again is fine')
  t.equal((await put(h, 'graph', '00unolink', 504)).statusCode, 404, 'an unconfigured source is refused')

  const gone = await h.app.inject({ method: 'DELETE', url: '/ops/links/okta/00unothere', headers: h.ops })
  t.equal(gone.statusCode, 404, 'removing a link that does not exist says so')
  t.match(gone.json().message, /no stored link/)
  t.equal((await h.app.inject({ method: 'DELETE', url: '/ops/links/okta/00unolink', headers: h.ops })).statusCode, 204)
  t.equal((await put(h, 'okta', '00urep', 504)).statusCode, 200, 'once unlinked, the Enerflo user is free again')
  await settled(h)
})

t.test('ids made of dots or holding @ are not ids anywhere', async (t) => {
  const h = await startHarness(t)
  for (const id of ['..', '.', '...', 'someone%40example.com']) {
    const res = await put(h, 'okta', id, 504)
    t.ok(res.statusCode === 400 || res.statusCode === 404, `${id}: ${res.statusCode}`)
    t.not(res.statusCode, 200)
  }
  const preview = await h.app.inject({ method: 'GET', url: '/ops/preview/okta/..%2F..', headers: h.ops })
  t.equal(preview.statusCode, 400)
})

t.test('a link to an id the provider never returned never deactivates anyone', async (t) => {
  const h = await startHarness(t)
  // Stored behind the route's back, as an old version or a bad import could have left it.
  t.same(await h.app.store.link('okta:00utypo0000000000001', 504), { ok: true })
  await h.app.syncQueue.add('sync-user', { source: 'okta', userId: '00utypo0000000000001', eventIds: [], receivedAt: Date.now() })
  await settled(h)
  t.equal(h.enerflo.user(504)?.active, true, 'the Enerflo user is still active')
  t.equal(h.enerflo.requests().filter((r) => r.userId === 504).length, 0, 'no write at all')
  t.ok(await h.app.store.isUnresolved('okta:00utypo0000000000001'), 'parked where an operator sees it')
  const [entry] = await h.app.store.auditTrail('okta:00utypo0000000000001')
  t.match(entry?.notes?.join(' '), /does not know this id.*nothing is deactivated/)
})

t.test('a user seen before and then deleted at the provider is deactivated', async (t) => {
  const h = await startHarness(t)
  await h.app.syncQueue.add('sync-user', { source: 'okta', userId: '00urep', eventIds: [], receivedAt: Date.now() })
  await settled(h)
  t.equal(h.enerflo.user(502)?.first_name, 'Rey')
  h.directory.deleteUser('00urep')
  await h.app.syncQueue.add('sync-user', { source: 'okta', userId: '00urep', eventIds: [], receivedAt: Date.now() })
  await settled(h)
  t.equal(h.enerflo.user(502)?.active, false, 'a confirmed deletion of a user we have seen still deactivates')
})

t.test('bulk import: a dry run reports every row and stores nothing; then the good rows land', async (t) => {
  const h = await startHarness(t)
  const csv = [
    'source,idp_user_id,enerflo_user_id',
    'okta,00unolink,504', // good
    'okta,00utypo0000000000001,503', // unknown at Okta
    'okta,00usetter,504', // claims the Enerflo user row 1 claimed
    'okta,..,9', // not an id
    'okta,00uboss,abc' // not a number
  ].join('\n')
  const dry = await h.app.inject({ method: 'POST', url: '/ops/links/import?dryRun=true', headers: { 'content-type': 'text/csv', ...h.ops }, payload: csv })
  t.equal(dry.statusCode, 200)
  const body = dry.json()
  t.equal(body.dryRun, true)
  t.equal(body.queued, 0)
  t.same(body.rows.map((r: { row: number, action: string }) => [r.row, r.action]), [[1, 'link'], [2, 'rejected'], [3, 'rejected'], [4, 'rejected'], [5, 'rejected']])
  t.match(body.rows[1].reason, /does not know/)
  t.match(body.rows[2].reason, /claimed by okta:00unolink earlier/)
  t.equal((await h.app.store.get('okta:00unolink')).enerfloId, undefined, 'a dry run stores nothing')
  t.equal(await h.app.syncQueue.count(), 0, 'and queues nothing')

  const live = await h.app.inject({ method: 'POST', url: '/ops/links/import', headers: { 'content-type': 'text/csv', ...h.ops }, payload: csv })
  t.match(live.json(), { dryRun: false, accepted: 1, queued: 1 })
  t.equal((await h.app.store.get('okta:00unolink')).enerfloId, 504)
  const again = await h.app.inject({ method: 'POST', url: '/ops/links/import?dryRun=true', headers: { 'content-type': 'text/csv', ...h.ops }, payload: 'source,idp_user_id,enerflo_user_id\nokta,00unolink,504\nokta,00urep,504\n' })
  t.same(again.json().rows.map((r: { action: string }) => r.action), ['unchanged', 'rejected'])
  t.match(again.json().rows[1].reason, /claimed by okta:00unolink/)
  await settled(h)
})
