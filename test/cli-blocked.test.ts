/**
 * The `blocked` command and `status` against a real service: a role removal Enerflo refuses for
 * attributed leads is listed with Enerflo's words and the fix, `status` counts it, and
 * `blocked --retry` tries it again now.
 */
import t from 'tap'
import { startHarness, delivery, type Harness } from './helpers/harness.js'
import { waitFor } from './helpers/wait.js'
import { cli, urlOf } from './helpers/cli-run.js'

async function send (h: Harness): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'group.user_membership.remove', userId: '00usetter', extraTargets: true }]) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}`)
}

t.test('blocked lists the refused removal with Enerflo\'s words and the fix; status counts it; --retry tries again now', async (t) => {
  const h = await startHarness(t, { env: { BLOCKED_RETRY_MS: '3600000' } })
  const env = { OPS_TOKEN: h.config.OPS_TOKEN ?? '', ENERFLO_SYNC_URL: await urlOf(h.app) }
  t.same(await cli(['blocked'], env), { code: 0, out: 'no blocked role removals\n', err: '' })
  // The setter's first sync, before Enerflo's user list was read: what Enerflo holds is known
  // only from its refusal, which names the role.
  h.directory.removeFromGroup('00usetter', '00gsetters')
  h.directory.addToGroup('00usetter', '00greps')
  await send(h)
  await waitFor('the removal to be blocked', async () => (await h.app.blockedRemovals.list()).count, (n) => n === 1)

  const list = await cli(['blocked'], env)
  t.equal(list.code, 0, list.err)
  t.match(list.out, /^USER +ENERFLO +ROLES +SINCE +REFUSED +NEXT TRY\nokta:00usetter +503 +Setter +\S+ \(\S+ ago\) +1 +\S+ \(in (1h|59m[^)]*)\)\n/)
  t.match(list.out, /\nokta:00usetter: Enerflo said: The Setter role cannot be removed: the user has 2 surveys and 0 appointments attributed\. Reassign them first\.\n {2}fix: reassign the surveys and appointments attributed to Enerflo user 503 as Setter/)
  t.match(list.out, /1 blocked role removal, each tried again every 1h; now: blocked --retry \[<userKey>\]\n$/)
  t.match(JSON.parse((await cli(['blocked', '--json'], env)).out), { count: 1, retryEveryMs: 3_600_000, removals: [{ userKey: 'okta:00usetter', roles: ['Setter'] }] })
  const other = await cli(['blocked', 'okta:00urep'], env)
  t.same(other, { code: 1, out: 'okta:00urep has no blocked role removal\n', err: '' })

  const status = await cli(['status'], env)
  t.match(status.out, /^blocked +1 role removal\(s\) refused while leads are attributed \(the rest was sent\) · okta:00usetter Setter, next try .* · see: blocked$/m)
  t.match(status.out, /1 user\(s\) keep a role Enerflo will not remove/)

  const puts = h.enerflo.requests().length
  const retry = await cli(['blocked', '--retry', 'okta:00usetter'], env)
  t.same(retry, { code: 0, out: 'trying again now: 1 user\n  okta:00usetter\n', err: '' })
  await waitFor('the retry', async () => (await h.app.blockedRemovals.list()).removals[0]?.refusals ?? 0, (n) => n === 2)
  t.same(h.enerflo.requests().slice(puts).map((r) => [r.status, r.body]), [[422, { id: 503, roles: ['Sales Rep'] }]], 'one PUT: the removal alone, refused again')
  const missing = await cli(['blocked', '--retry', 'okta:00urep'], env)
  t.equal(missing.code, 1)
  t.match(missing.err, /okta:00urep has no blocked role removal/)
  t.equal((await cli(['blocked', 'a', 'b'], env)).code, 2, 'one user at most')
  const all = await cli(['blocked', '--retry'], env)
  t.same(all, { code: 0, out: 'trying again now: 1 user\n  okta:00usetter\n', err: '' }, 'no user: every blocked removal')
  await waitFor('that retry', async () => (await h.app.blockedRemovals.list()).removals[0]?.refusals ?? 0, (n) => n === 3)
})
