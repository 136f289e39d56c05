import t from 'tap'
import { startHarness } from '../helpers/harness.js'
import { changed, reconcile, settled, startRun } from './run.js'
import { createWatermarks } from '../../src/reconcile/watermarks.js'
import { laneOfJob } from '../../queues/sync-lanes.js'

t.test('okta full pass: a dry run reports and queues nothing; live queues only who differs; again: nothing', async (t) => {
  const h = await startHarness(t)
  await reconcile(h.app, h.ops, { source: 'enerflo', mode: 'full' })
  const dry = await reconcile(h.app, h.ops, { source: 'okta', mode: 'full', dryRun: true })
  t.equal(dry.run.state, 'done')
  t.same(changed(dry), [
    '00uboss link ', // 501 already holds what Okta says: linked, nothing to send
    '00unolink link ',
    '00urep link first_name,last_name,manager_email,phone',
    '00usetter link '
  ])
  t.equal(dry.run.progress.queued, 0)
  t.equal(await h.app.syncQueue.count(), 0, 'a dry run queues nothing')
  t.equal(h.enerflo.requests().length, 0, 'and writes nothing')
  t.notOk(await createWatermarks(h.app.redis, 'test').get('okta'), 'nor moves the watermark')
  const paths = h.directory.requests().map((r) => r.path)
  t.notOk(paths.some((p) => /\/users\/[^/?]+\/groups/.test(p)), 'memberships come from the mapped groups, not one call per user')
  t.ok(paths.some((p) => p.startsWith('/api/v1/groups/00greps/users')), 'the members of a mapped group are listed')
  t.notOk(paths.some((p) => p.startsWith('/api/v1/groups/00gall/users')), 'an unmapped group is not')

  const live = await reconcile(h.app, h.ops, { source: 'okta', mode: 'full' })
  t.equal(live.run.progress.queued, 4, 'the links are stored by the worker, so every user gets a job')
  await settled(h.app)
  t.equal(h.enerflo.user(502)?.first_name, 'Rey')
  t.equal((await h.app.store.get('okta:00unolink')).enerfloId, 504, 'linked by email')
  const writes = h.enerflo.requests().length
  const again = await reconcile(h.app, h.ops, { source: 'okta', mode: 'full' })
  t.same(changed(again), [], 'every user unchanged')
  t.equal(again.run.progress.queued, 0)
  await settled(h.app)
  t.equal(h.enerflo.requests().length, writes, 'a full pass over unchanged users makes no Enerflo write')
})

t.test('okta incremental: changed since the watermark, DEPROVISIONED, membership-only, a row it cannot read', async (t) => {
  const h = await startHarness(t)
  await reconcile(h.app, h.ops, { source: 'enerflo', mode: 'full' })
  await reconcile(h.app, h.ops, { source: 'okta', mode: 'full' })
  await settled(h.app)
  const marks = createWatermarks(h.app.redis, 'test')
  const first = await marks.get('okta')
  t.ok(first, 'a finished live pass keeps a watermark')

  h.directory.updateProfile('00urep', { firstName: 'Reyna' })
  h.directory.setStatus('00uboss', 'DEPROVISIONED') // a lastUpdated filter leaves this one out
  h.directory.addToGroup('00usetter', '00greps') // moves no lastUpdated
  h.directory.setUser({ id: '00ubadrow', status: 7 as unknown as string, profile: { login: 'bad@example.com' }, groups: [] })
  const seen = h.directory.requests().length
  const dry = await reconcile(h.app, h.ops, { source: 'okta', dryRun: true })
  t.same(changed(dry), [
    '00ubadrow unresolved ',
    '00uboss deactivate active',
    '00urep update first_name',
    '00usetter update roles'
  ])
  t.match(dry.lines.find((l) => l.id === '00ubadrow')?.reason, /row skipped.*no status/, 'the bad row is skipped with its reason, and the pass goes on')
  const paths = h.directory.requests().slice(seen).map((r) => decodeURIComponent(r.path.replace(/\+/g, ' ')))
  t.ok(paths.some((p) => p.includes('filter=lastUpdated gt "')), 'incremental: filtered on lastUpdated')
  t.ok(paths.some((p) => p.includes('filter=status eq "DEPROVISIONED"')), 'and DEPROVISIONED asked for separately')

  await reconcile(h.app, h.ops, { source: 'okta' })
  await settled(h.app)
  t.equal(h.enerflo.user(502)?.first_name, 'Reyna')
  t.equal(h.enerflo.user(501)?.active, false, 'DEPROVISIONED in Okta: deactivated, because Okta says so')
  t.same(h.enerflo.user(503)?.roles?.slice().sort(), ['Sales Rep', 'Setter'], 'the membership-only change reached Enerflo')
  t.not((await marks.get('okta'))?.value, undefined)
})

t.test('okta incremental, membership-only: a user whose mapped groups changed (lastUpdated unmoved) is read and synced', async (t) => {
  const h = await startHarness(t)
  await reconcile(h.app, h.ops, { source: 'okta', mode: 'full' })
  await settled(h.app)
  const marks = createWatermarks(h.app.redis, 'test')
  // As if the last pass had run well after every user's last change: the lastUpdated query
  // finds nobody, so only the membership comparison can find the setter.
  await marks.save('okta', new Date(Date.now() + 120_000).toISOString(), await marks.members('okta'))
  h.directory.addToGroup('00usetter', '00greps')
  h.directory.removeFromGroup('00urep', '00greps')
  h.directory.addToGroup('00urep', '00gsetters')
  const seen = h.directory.requests().length
  const dry = await reconcile(h.app, h.ops, { source: 'okta', dryRun: true })
  t.same(changed(dry), ['00urep update roles', '00usetter update roles'])
  const paths = h.directory.requests().slice(seen).map((r) => r.path)
  t.ok(paths.includes('/api/v1/users/00usetter') && paths.includes('/api/v1/users/00urep'), 'each user whose groups changed is read once')
  t.notOk(paths.includes('/api/v1/users/00uboss'), 'and nobody else')
})

t.test('okta: a 5xx mid-pass fails the run and keeps the watermark; a second run of the same source is a 409', async (t) => {
  const h = await startHarness(t)
  await reconcile(h.app, h.ops, { source: 'okta', mode: 'full' })
  await settled(h.app)
  const marks = createWatermarks(h.app.redis, 'test')
  const before = await marks.get('okta')
  const members = await marks.members('okta')
  h.directory.inject({ kind: 'status', status: 503, count: 1, path: 'status eq "DEPROVISIONED"' })
  const failed = await reconcile(h.app, h.ops, { source: 'okta' })
  t.equal(failed.run.state, 'failed')
  t.match(failed.run.error, /Okta answered 503/)
  t.same(await marks.get('okta'), before, 'the watermark is the one before the failed pass')
  t.same(await marks.members('okta'), members, 'and so are the memberships it compares with')

  const one = await startRun(h.app, h.ops, { source: 'okta', mode: 'full', dryRun: true })
  const two = await startRun(h.app, h.ops, { source: 'okta', mode: 'full', dryRun: true })
  t.equal(one.statusCode, 202)
  t.equal(two.statusCode, 409)
  t.match(two.body['message'], new RegExp(String(one.body['id'])))
})

t.test('a source that is not configured is a 400 naming the configured ones', async (t) => {
  const h = await startHarness(t)
  const res = await startRun(h.app, h.ops, { source: 'graph' })
  t.equal(res.statusCode, 400)
  t.match(res.body['message'], /graph is not configured here; configured: okta, enerflo/)
})

t.test('a pass queues a user it finds no longer active in the deactivate lane, the others in the reconcile lane', async (t) => {
  const h = await startHarness(t)
  await reconcile(h.app, h.ops, { source: 'enerflo', mode: 'full' })
  await reconcile(h.app, h.ops, { source: 'okta', mode: 'full' })
  await settled(h.app)
  h.directory.updateProfile('00urep', { firstName: 'Reyna' })
  h.directory.setStatus('00uboss', 'DEPROVISIONED')
  // The workers wait, so the jobs the pass queues can be looked at where they are.
  await h.app.syncQueue.pause()
  const run = await reconcile(h.app, h.ops, { source: 'okta' })
  t.same(changed(run), ['00uboss deactivate active', '00urep update first_name'])
  const waiting = await h.app.syncQueue.getJobs(['wait', 'prioritized'])
  const lanes = Object.fromEntries(waiting.map((j) => [j.data.userId, laneOfJob(j)]))
  t.same(lanes, { '00uboss': 'deactivate', '00urep': 'reconcile' }, 'the deprovisioned user jumps the backfill; the profile change waits its turn')
  await h.app.syncQueue.resume()
  await settled(h.app)
  t.equal(h.enerflo.user(501)?.active, false)
})
