/**
 * The `follow-ups` command and `status` against a real service: the follow-up recorded when the
 * Project Manager role is removed is listed with the user, what to do and Enerflo's recipe,
 * `status` counts it, `follow-ups done <id>` marks it done, and a second time is refused.
 */
import t from 'tap'
import { startHarness, delivery, type Harness } from './helpers/harness.js'
import { waitFor } from './helpers/wait.js'
import { cli, urlOf } from './helpers/cli-run.js'
import { GROUPS, MAPPING, enerfloUsers, oktaUsers } from './helpers/fixtures.js'

async function send (h: Harness): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'group.user_membership.remove', userId: '00upm', extraTargets: true }]) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}`)
}

t.test('follow-ups lists the user and the recipe; status counts it; done marks it done once', async (t) => {
  const h = await startHarness(t, {
    mapping: { ...MAPPING, roles: [...MAPPING.roles, { group: 'Project Managers', roles: ['Project Manager'] }] },
    groups: [...GROUPS, { id: '00gpm', name: 'Project Managers' }],
    oktaUsers: [...oktaUsers(), { id: '00upm', status: 'ACTIVE', groups: ['00greps', '00gpm', '00gphx'], profile: { login: 'pm@example.com', email: 'pm@example.com', firstName: 'Pat', lastName: 'Emm', enerfloUserId: '505' } }],
    enerfloUsers: [...enerfloUsers(), { id: 505, first_name: 'Pat', last_name: 'Emm', email: 'pm@example.com', active: true, roles: ['Project Manager', 'Sales Rep'], office_ids: [101], surveys: 0, appointments: 0 }]
  })
  const env = { OPS_TOKEN: h.config.OPS_TOKEN ?? '', ENERFLO_SYNC_URL: await urlOf(h.app) }
  t.same(await cli(['follow-ups'], env), { code: 0, out: 'no follow-ups: nothing Enerflo asks of a person\n', err: '' })
  t.match((await cli(['status'], env)).out, /^follow-ups +none open$/m)

  await send(h)
  await waitFor('the first sync', async () => (await h.app.store.auditTrail('okta:00upm')).length, (n) => n === 1)
  h.directory.removeFromGroup('00upm', '00gpm')
  await send(h)
  await waitFor('the follow-up', async () => (await h.app.followUps.store.list()).open, (n) => n === 1)
  t.same(h.enerflo.user(505)?.roles, ['Sales Rep'])
  const { followUps: [f] } = await h.app.followUps.store.list()
  const id = f?.id ?? 'x'

  const list = await cli(['follow-ups'], env)
  t.equal(list.code, 0, list.err)
  t.match(list.out, new RegExp(`^ID +USER +ENERFLO +WHO +ROLE REMOVED +SINCE\\n${id} +okta:00upm +505 +Pat Emm +Project Manager +\\S+ \\(\\S+ ago\\)\\n`))
  t.match(list.out, new RegExp(`\\nfollow-up ${id}: remove Enerflo user 505 \\(Pat Emm\\) as a project contact on each install they are one on: .*\\n {2}recipe: Delete project contacts using customer id\\n {2}https://docs.enerflo.io/reference/delete-a-contact-from-an-install\\n`))
  t.match(list.out, /\n1 open follow-up; once done in Enerflo: enerflo-user-sync follow-ups done <id>\n$/)
  t.match(JSON.parse((await cli(['follow-ups', '--json'], env)).out), { open: 1, followUps: [{ id, userKey: 'okta:00upm', who: 'Pat Emm', done: false }] })
  const status = await cli(['status'], env)
  t.match(status.out, new RegExp(`^follow-ups +1 open · ${id}: okta:00upm Project Manager removed · see: follow-ups$`, 'm'))
  t.match(status.out, /1 follow-up\(s\) wait for an operator/)

  t.same(await cli(['follow-ups', 'done', id], env), { code: 0, out: `follow-up ${id} marked done (okta:00upm, Pat Emm)\n`, err: '' })
  const again = await cli(['follow-ups', 'done', id], env)
  t.equal(again.code, 1)
  t.match(again.err, new RegExp(`follow-up ${id} was already marked done at `))
  const missing = await cli(['follow-ups', 'done', '999'], env)
  t.equal(missing.code, 1)
  t.match(missing.err, /no follow-up 999/)
  t.equal((await cli(['follow-ups', 'done'], env)).code, 2, 'the id is needed')
  t.equal((await cli(['follow-ups', 'done', 'abc'], env)).code, 2, 'an id is a number')
  t.equal((await cli(['follow-ups', 'close', id], env)).code, 2, 'done is the only action')

  const after = await cli(['follow-ups'], env)
  t.match(after.out, new RegExp(`^no open follow-ups\\n\\ndone:\\n {2}${id} {2}okta:00upm {2}Pat Emm {2}Project Manager removed .*, done .*\\n$`))
  t.match((await cli(['status'], env)).out, /^follow-ups +none open$/m)
})
