import t from 'tap'
import { startGraphHarness } from '../helpers/graph-harness.js'
import { G } from '../helpers/graph-fixtures.js'
import { reconcile } from './run.js'

t.test("graph: a 429 with Retry-After on the delta and on a group's members: the pass waits as told and goes on from that page", async (t) => {
  const h = await startGraphHarness(t, { pageSize: 2 })
  await reconcile(h.app, h.ops, { source: 'enerflo', mode: 'full' })
  const seen = h.graph.requests().length
  h.graph.inject({ kind: 'throttle', status: 429, retryAfterSec: 1, count: 1, path: '/transitiveMembers' })
  h.graph.inject({ kind: 'throttle', status: 429, retryAfterSec: 1, count: 1, path: '/users/delta' })
  const run = await reconcile(h.app, h.ops, { source: 'graph', mode: 'full', dryRun: true })
  t.equal(run.run.state, 'done', String(run.run.error))
  t.same(run.lines.map((l) => l.id).sort(), [G.boss, G.rep, G.setter, G.nolink].sort(), 'every user read')
  const paths = h.graph.requests().slice(seen).map((r) => r.path)
  const firstDelta = paths.filter((p) => p.startsWith('/v1.0/users/delta?$select='))
  t.equal(firstDelta.length, 2, 'the throttled first page was asked for again, once')
  t.ok(paths.filter((p) => p.includes('$skiptoken=') || p.includes('$deltatoken=')).length >= 1, 'and the pass went on to the next pages')
  const members = paths.filter((p) => p.includes('/transitiveMembers'))
  t.equal(new Set(members).size, members.length - 1, 'one member list was asked for twice (the throttled one), the others once')
})
