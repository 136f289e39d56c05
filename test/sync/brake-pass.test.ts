import t from 'tap'
import { startRedis } from '../helpers/redis.js'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { manyUsers } from '../helpers/fixtures.js'
import { waitFor } from '../helpers/wait.js'
import { reconcile, settled } from '../reconcile/run.js'
import { createBrake } from '../../src/sync/brake.js'
import { createHolds } from '../../src/sync/holds.js'
import type { UserPlan } from '../../src/sync/plan.js'

const json = { 'content-type': 'application/json' }

const deactivation = (enerfloId: number): UserPlan => ({
  kind: 'send',
  reason: 'the provider says so',
  notes: [],
  enerfloId,
  how: 'link',
  linkTo: undefined,
  baseline: { active: true, phone: '6025550100' },
  inDoubt: undefined,
  body: { id: enerfloId, active: false, phone: '6025550111' },
  changes: { active: { from: true, to: false }, phone: { from: '6025550100', to: '6025550111' } },
  firstSight: false
})

t.test('a pass is counted as one: its destructive changes past the limit are held after the window forgot them', async (t) => {
  const redis = (await startRedis(t)).client()
  t.teardown(() => redis.disconnect())
  // 20 linked users, 10 %: the limit is 2.
  await redis.hset('p:linked:okta', Object.fromEntries(Array.from({ length: 20 }, (_, i) => [String(1000 + i), `okta:00u${i}`])))
  const brake = createBrake(redis, 'p', { windowMs: 1000, maxPercent: 10, minUsers: 2 })
  const forget = async (): Promise<void> => { await redis.del('p:brake:window') } // as if the window had passed
  for (const i of [0, 1]) t.notOk('held' in await brake.apply(`okta:00u${i}`, deactivation(1000 + i), 'run-a'), `pass user ${i} goes through`)
  await forget()
  // Outside any pass, an empty window lets a deactivation through...
  t.notOk('held' in await brake.apply('okta:00u2', deactivation(1002)), 'a webhook deactivation after the window passes')
  await forget()
  // ...but the pass still has its two.
  const third = await brake.apply('okta:00u3', deactivation(1003), 'run-a')
  t.ok('held' in third, 'the pass\'s third is held')
  t.equal(third.body?.active, undefined, 'without its deactivation')
  t.equal(third.body?.phone, '6025550111', 'with its other change')
  const hold = await createHolds(redis, 'p').get('1')
  t.match(hold?.reason, /^3 destructive changes in reconciliation pass run-a: more than 10% of 20 linked users and more than 2 \(limit 2\)$/)
  t.same(hold?.users.map((u) => u.userKey), ['okta:00u3'])
  // A retried write of a change already counted is not counted twice.
  await redis.del('p:brake:open')
  t.notOk('held' in await brake.apply('okta:00u9', deactivation(1009), 'run-b'), 'another pass starts from nothing')
  t.notOk('held' in await brake.apply('okta:00u9', deactivation(1009), 'run-b'), 'its retry is the same change')
  t.equal(await redis.scard('p:brake:run:run-b'), 1)
  t.ok(await redis.pttl('p:brake:run:run-b') > 0, 'a pass\'s count expires')
})

const FIVE = ['00um0', '00um1', '00um2', '00um3', '00um4']
const enerfloIdOf = (oktaId: string): number => 1000 + Number(oktaId.slice(4))
const deactivations = (h: Harness): number[] => h.enerflo.requests()
  .filter((r) => r.status === 200 && (r.body as { active?: boolean }).active === false).map((r) => r.userId as number)

t.test('a dry-run pass reports what the brake would hold; the live pass then holds as many', async (t) => {
  const { okta: people, enerflo } = manyUsers(20)
  const h = await startHarness(t, { oktaUsers: people, enerfloUsers: enerflo, env: { BRAKE_MAX_PERCENT: '10', BRAKE_MIN_USERS: '2', WORKER_CONCURRENCY: '1' } })
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery(people.map((p) => ({ type: 'user.account.update_profile', userId: p.id }))) })
  t.equal(res.statusCode, 200)
  await settled(h.app)
  for (const id of FIVE) {
    h.directory.setStatus(id, 'DEPROVISIONED')
    h.directory.updateProfile(id, { mobilePhone: '602-555-0199' })
  }
  const writes = h.enerflo.requests().length
  const dry = await reconcile(h.app, h.ops, { source: 'okta', mode: 'full', dryRun: true })
  t.same(dry.run.report, { unchanged: 15, deactivate: 2, held: 3 })
  const held = dry.lines.filter((l) => l.action === 'held')
  t.same(held.map((l) => l.fields), [['active', 'phone'], ['active', 'phone'], ['active', 'phone']])
  t.match(held[0]?.reason, /would be held by the brake: the deactivation is destructive change 3, more than 10% of 20 linked users and more than 2 \(limit 2\); the other fields would be sent/)
  t.equal(h.enerflo.requests().length, writes, 'the dry run wrote nothing')

  const live = await reconcile(h.app, h.ops, { source: 'okta', mode: 'full' })
  t.equal(live.run.progress.queued, 5)
  await settled(h.app)
  t.equal(deactivations(h).length, 2, 'two deactivations went through')
  const holds = (await h.app.inject({ method: 'GET', url: '/ops/holds', headers: h.ops })).json()
  t.equal(holds.holds[0].users.length, 3, 'three are held')
  for (const id of FIVE) t.equal(h.enerflo.user(enerfloIdOf(id))?.phone, '6025550199', `${id} got its phone`)

  // With the hold open, a dry run says every further destructive change would join it.
  h.directory.setStatus('00um7', 'DEPROVISIONED')
  const again = await reconcile(h.app, h.ops, { source: 'okta', mode: 'full', dryRun: true })
  t.same(again.run.report, { unchanged: 16, held: 4 })
  t.match(again.lines.find((l) => l.id === '00um7')?.reason, /the deactivation would join hold 1, open until an operator releases or discards it$/)
  await waitFor('the hold still open', async () => (await h.app.inject({ method: 'GET', url: '/ops/holds', headers: h.ops })).json().open, (o) => o === '1')
})

t.test('a dry-run drift pass reports what the brake would hold: managed roles granted by hand that the sync would take away', async (t) => {
  const { okta: people, enerflo } = manyUsers(20)
  const h = await startHarness(t, { oktaUsers: people, enerfloUsers: enerflo, env: { BRAKE_MAX_PERCENT: '10', BRAKE_MIN_USERS: '2', WORKER_CONCURRENCY: '1' } })
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery(people.map((p) => ({ type: 'user.account.update_profile', userId: p.id }))) })
  t.equal(res.statusCode, 200)
  await settled(h.app)
  // Someone grants Setter (a role the mapping manages) by hand to five reps in Enerflo.
  for (const id of FIVE) {
    const edit = await fetch(`${h.config.ENERFLO_BASE_URL}/api/v3/users`, { method: 'PUT', headers: { 'api-key': h.config.ENERFLO_API_KEY ?? '', ...json }, body: JSON.stringify({ id: enerfloIdOf(id), roles: ['Sales Rep', 'Setter'] }) })
    t.equal(edit.status, 200)
  }
  const writes = h.enerflo.requests().length
  const dry = await reconcile(h.app, h.ops, { source: 'enerflo', mode: 'full', dryRun: true })
  t.same(dry.run.report, { unchanged: 15, update: 2, held: 3 })
  t.match(dry.lines.find((l) => l.action === 'held')?.reason, /^would be held by the brake: the removal of Setter is destructive change 3, more than 10% of 20 linked users and more than 2 \(limit 2\)$/)
  t.equal(h.enerflo.requests().length - writes, 0, 'the dry run wrote nothing')
})
