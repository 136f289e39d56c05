import t from 'tap'
import { startGraphHarness, lifecycleItem } from '../helpers/graph-harness.js'
import { G, GROUP } from '../helpers/graph-fixtures.js'
import { waitFor } from '../helpers/wait.js'
import { changed, finished, reconcile, settled, startRun } from './run.js'
import { createWatermarks } from '../../src/reconcile/watermarks.js'

const deltaCalls = (paths: string[]): string[] => paths.filter((p) => p.startsWith('/v1.0/users/delta'))

t.test('graph: a full pass from the delta, then an incremental one from the deltaLink: changes, @removed, membership-only', async (t) => {
  const h = await startGraphHarness(t, { pageSize: 2 })
  await reconcile(h.app, h.ops, { source: 'enerflo', mode: 'full' })
  const dry = await reconcile(h.app, h.ops, { source: 'graph', mode: 'full', dryRun: true })
  t.equal(dry.run.state, 'done', String(dry.run.error))
  // The rep's manager (the boss) comes with the delta's manager@delta, as the worker would send it.
  t.same(changed(dry), [`${G.boss} link `, `${G.rep} link first_name,last_name,manager_email,phone`, `${G.setter} link `, `${G.nolink} link `])
  const first = deltaCalls(h.graph.requests().map((r) => decodeURIComponent(r.path)))
  t.match(first[0], /\$select=id,accountEnabled,.*employeeId/, 'the mapped properties are selected')
  t.ok(first.length >= 2, 'and the pages followed to the deltaLink')
  t.equal(h.enerflo.requests().length, 0, 'a dry run writes nothing')

  await reconcile(h.app, h.ops, { source: 'graph', mode: 'full' })
  await settled(h.app)
  t.equal(h.enerflo.user(502)?.first_name, 'Rey')
  const marks = createWatermarks(h.app.redis, 'test')
  t.match((await marks.get('graph'))?.value, /\$deltatoken=/, 'the deltaLink is kept')

  h.graph.updateUser(G.rep, { givenName: 'Reyna' })
  h.graph.deleteUser(G.setter)
  h.graph.outOfScope(G.boss)
  h.graph.addMember(GROUP['Setters'] as string, G.nolink) // not in the users delta
  const seen = h.graph.requests().length
  const inc = await reconcile(h.app, h.ops, { source: 'graph', dryRun: true })
  t.same(changed(inc), [`${G.rep} update first_name`, `${G.setter} deactivate active`, `${G.nolink} update roles`])
  t.match(inc.lines.find((l) => l.id === G.boss), { action: 'unchanged', reason: /out of the app's scope.*nothing is deactivated/ })
  t.ok(deltaCalls(h.graph.requests().slice(seen).map((r) => r.path)).every((p) => p.includes('$deltatoken=') || p.includes('$skiptoken=')), 'read from the deltaLink')

  await reconcile(h.app, h.ops, { source: 'graph' })
  await settled(h.app)
  t.equal(h.enerflo.user(502)?.first_name, 'Reyna')
  t.equal(h.enerflo.user(503)?.active, false, 'deleted at Graph (and a 404 for the worker): deactivated')
  t.equal(h.enerflo.user(501)?.active, true, 'out of scope is not a reason to deactivate')
  t.ok(h.enerflo.user(504)?.roles?.includes('Setter'), 'the membership-only change reached Enerflo')
})

t.test('graph: a manager-only change is found from manager@delta, each manager read once per pass', async (t) => {
  const h = await startGraphHarness(t)
  await reconcile(h.app, h.ops, { source: 'enerflo', mode: 'full' })
  const atFull = h.graph.requests().length
  await reconcile(h.app, h.ops, { source: 'graph', mode: 'full' })
  const passReads = h.graph.requests().slice(atFull).filter((r) => r.path.startsWith('/v1.0/users/') && !r.path.startsWith('/v1.0/users/delta'))
  await settled(h.app)
  t.equal(h.enerflo.user(502)?.manager_email, 'boss@example.com', 'the full pass brought the manager')
  // (The boss's own sync job reads it too, with the mapped properties: not a manager read.)
  const managerRead = (r: { path: string }, id: string): boolean => decodeURIComponent(r.path) === `/v1.0/users/${id}?$select=id,mail,userPrincipalName`
  t.same(passReads.filter((r) => managerRead(r, G.boss)), [], 'the boss is listed in the full pass: its address came from its own row, no read')
  const unchanged = await reconcile(h.app, h.ops, { source: 'graph', dryRun: true })
  t.same(changed(unchanged), [], 'nothing changed: nothing to do')

  // The relationship changes, nothing else about either person: Graph has no notification for it.
  h.graph.setManager(G.rep, G.setter)
  h.graph.setManager(G.nolink, G.setter)
  const seen = h.graph.requests().length
  const inc = await reconcile(h.app, h.ops, { source: 'graph', dryRun: true })
  t.same(changed(inc).filter((l) => l.startsWith(G.rep)), [`${G.rep} update manager_email`], 'the manager-only change is an update of manager_email')
  const managerReads = h.graph.requests().slice(seen).filter((r) => managerRead(r, G.setter))
  t.equal(managerReads.length, 1, 'the new manager of two people, not listed in this incremental pass, was read once, for its address only')

  await reconcile(h.app, h.ops, { source: 'graph' })
  await settled(h.app)
  t.equal(h.enerflo.user(502)?.manager_email, 'setter@example.com', 'and the pass\'s job brought it to Enerflo')
})

t.test('graph: an expired token (syncStateNotFound, 410) starts a full pass; a failed pass keeps the deltaLink', async (t) => {
  const h = await startGraphHarness(t)
  await reconcile(h.app, h.ops, { source: 'graph', mode: 'full' })
  await settled(h.app)
  const marks = createWatermarks(h.app.redis, 'test')
  for (const how of ['syncStateNotFound', 'gone'] as const) {
    const before = await marks.get('graph')
    h.graph.expireDeltaTokens(how)
    const r = await reconcile(h.app, h.ops, { source: 'graph' })
    t.equal(r.run.state, 'done', `${how}: ${String(r.run.error)}`)
    t.equal(r.run['mode'], 'full', `${how}: the pass ran full`)
    t.equal(r.lines.length, 4, 'and looked at every user')
    t.not((await marks.get('graph'))?.value, before?.value, 'with a new deltaLink kept')
  }
  const before = await marks.get('graph')
  h.graph.inject({ kind: 'status', status: 500, count: 1, path: '/users/delta' })
  const failed = await reconcile(h.app, h.ops, { source: 'graph' })
  t.equal(failed.run.state, 'failed')
  t.match(failed.run.error, /Graph answered 500/)
  t.same(await marks.get('graph'), before, 'the deltaLink of the last finished pass is kept')
})

t.test('graph: a missed lifecycle notification starts an incremental pass', async (t) => {
  const h = await startGraphHarness(t)
  const res = await h.post({ value: [lifecycleItem(h, 'sub-1', 'missed')] }, { url: '/webhooks/graph/lifecycle' })
  t.equal(res.statusCode, 202)
  const runs = (await h.app.inject({ method: 'GET', url: '/ops/reconcile', headers: h.ops })).json().runs as Array<{ id: string, source: string, mode: string }>
  t.match(runs, [{ source: 'graph', mode: 'incremental' }])
  const run = runs[0]
  if (run === undefined) return
  const done = await finished(h.app, h.ops, run.id)
  t.equal(done.run.state, 'done', String(done.run.error))
  await waitFor('the pass to have read the delta', () => deltaCalls(h.graph.requests().map((r) => r.path)).length, (n) => n > 0)
})

t.test('source all: one run per configured source, each to its own pass', async (t) => {
  const h = await startGraphHarness(t)
  const res = await startRun(h.app, h.ops, { source: 'all', mode: 'full', dryRun: true })
  t.equal(res.statusCode, 202)
  const ids = res.body['ids'] as string[]
  t.equal(res.body['id'], ids[0])
  const runs = await Promise.all(ids.map(async (id) => await finished(h.app, h.ops, id)))
  t.same(runs.map((r) => `${String(r.run['source'])} ${r.run.state}`).sort(), ['enerflo done', 'graph done', 'okta done'])
  t.ok(runs.find((r) => r.run['source'] === 'graph')?.lines.every((l) => l.source === 'graph'), 'each pass reports its own source')
})
