import t from 'tap'
import { startHarness } from '../helpers/harness.js'
import { manyUsers } from '../helpers/fixtures.js'
import { reconcile, settled } from './run.js'

/** The most requests of one family that one of Okta's windows counted. */
function busiest (requests: Array<{ family: string, rateWindow: number }>, family: string): number {
  const counts = new Map<number, number>()
  for (const r of requests.filter((x) => x.family === family)) counts.set(r.rateWindow, (counts.get(r.rateWindow) ?? 0) + 1)
  return Math.max(0, ...counts.values())
}

t.test('org limit 100 a window: a full pass and the workers of two processes sync 120 users with no Okta 429, at half the limit', async (t) => {
  const people = manyUsers(120)
  // Okta's minute scaled to 2 s, so the test does not take minutes; the limiter learns the window
  // from X-Rate-Limit-Reset, not from a setting.
  const h = await startHarness(t, { oktaUsers: people.okta, enerfloUsers: people.enerflo, oktaRateLimit: { limit: 100, windowMs: 2000 }, rateLimit: { max: 100_000, windowMs: 60_000 } })
  await h.buildAnother({ SERVICE_ROLE: 'worker' })
  await reconcile(h.app, h.ops, { source: 'enerflo', mode: 'full' })
  const run = await reconcile(h.app, h.ops, { source: 'okta', mode: 'full' })
  t.equal(run.run.state, 'done', String(run.run.error))
  t.equal(run.run.progress.queued, 120)
  await settled(h.app)
  t.equal(h.enerflo.users().filter((u) => (u.first_name ?? '').startsWith('First')).length, 120, 'every user synced')
  const requests = h.directory.requests()
  t.equal(h.directory.throttled(), 0, 'Okta never answered 429')
  t.ok(requests.filter((r) => r.family === 'user').length > 100, 'although the workers asked for more users than one window allows')
  for (const family of ['users', 'user', 'groups', 'other']) t.ok(busiest(requests, family) <= 50, `${family}: at most half of the limit in any window (busiest ${busiest(requests, family)})`)
})

t.test('an Okta 429 in the middle of a pass (another integration took the window): the pass waits for the reset and goes on', async (t) => {
  const h = await startHarness(t)
  h.directory.inject({ kind: 'rate-limit', count: 1, resetInSec: 1, path: 'filter=status eq "DEPROVISIONED"' })
  const run = await reconcile(h.app, h.ops, { source: 'okta', mode: 'full', dryRun: true })
  t.equal(run.run.state, 'done', String(run.run.error))
  t.equal(run.lines.length, 4, 'every user reported')
  const asked = h.directory.requests().filter((r) => decodeURIComponent(r.path.replace(/\+/g, ' ')).includes('DEPROVISIONED'))
  t.same(asked.map((r) => r.status), [429, 200], 'the refused page was asked for again')
})
