/**
 * Project-manager follow-ups (issue 14 item 2), end to end against the Enerflo simulator: Pat
 * (Enerflo 505) earns Project Manager from the mapped "Project Managers" group. When Okta takes
 * Pat out of it, the role is removed in Enerflo and one follow-up names Pat with Enerflo's recipe
 * (GET /ops/follow-ups, /status, /metrics, the audit); removing it again while that one is open
 * adds no other; marking it done answers 200, then 409; an unknown id 404.
 */
import t from 'tap'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import { GROUPS, MAPPING, enerfloUsers, oktaUsers } from '../helpers/fixtures.js'
import { fannedOut } from '../helpers/deliveries.js'

const json = { 'content-type': 'application/json' }

const mapping = { ...MAPPING, roles: [...MAPPING.roles, { group: 'Project Managers', roles: ['Project Manager'] }] }
const groups = [...GROUPS, { id: '00gpm', name: 'Project Managers' }]
const okta = () => [...oktaUsers(), { id: '00upm', status: 'ACTIVE', groups: ['00greps', '00gpm', '00gphx'], profile: { login: 'pm@example.com', email: 'pm@example.com', firstName: 'Pat', lastName: 'Emm', mobilePhone: '480-555-0105', enerfloUserId: '505' } }]
const enerflo = () => [...enerfloUsers(), { id: 505, first_name: 'Pat', last_name: 'Emm', email: 'pm@example.com', phone: '4805550105', active: true, roles: ['Project Manager', 'Sales Rep'], office_ids: [101], surveys: 0, appointments: 0 }]

async function send (h: Harness, userId: string): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: h.webhookSecret }, payload: delivery([{ type: 'group.user_membership.remove', userId, extraTargets: true }]) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}: ${res.body}`)
}

async function settled (h: Harness): Promise<void> {
  await fannedOut(h.app)
  await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), (c) => Object.values(c).every((n) => n === 0))
}

interface FollowUp { id: string, reason: string, userKey: string, enerfloId: number, who: string, role: string, todo: string, recipe: string, links: string[], notAutomatic: string, createdAt: string, done: boolean, doneAt: string | null }
const list = async (h: Harness): Promise<{ open: number, followUps: FollowUp[] }> => {
  const res = await h.app.inject({ method: 'GET', url: '/ops/follow-ups', headers: h.ops })
  if (res.statusCode !== 200) throw new Error(`GET /ops/follow-ups answered ${res.statusCode}: ${res.body}`)
  return res.json()
}
const status = async (h: Harness) => (await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).json<{ status: string, reasons: string[], followUps?: { open: number, items: Array<{ id: string, userKey: string, who: string }> } }>()

t.test('leaving the Project Manager group removes the role in Enerflo and records one follow-up naming the user; done answers 200 then 409', async (t) => {
  const h = await startHarness(t, { mapping, groups, oktaUsers: okta(), enerfloUsers: enerflo() })
  await send(h, '00upm')
  await settled(h)
  t.same(h.enerflo.user(505)?.roles, ['Project Manager', 'Sales Rep'])
  t.same(await list(h), { open: 0, followUps: [] }, 'nothing removed, nothing to follow up')
  t.equal((await status(h)).followUps?.open, 0)

  h.directory.removeFromGroup('00upm', '00gpm')
  await send(h, '00upm')
  await settled(h)
  t.same(h.enerflo.user(505)?.roles, ['Sales Rep'], 'Enerflo no longer holds Project Manager')
  const first = await list(h)
  t.equal(first.open, 1)
  t.equal(first.followUps.length, 1)
  const f = first.followUps[0]
  t.match(f, { reason: 'project-manager-removed', userKey: 'okta:00upm', enerfloId: 505, who: 'Pat Emm', role: 'Project Manager', recipe: 'Delete project contacts using customer id', done: false, doneAt: null })
  t.match(f?.todo, /remove Enerflo user 505 \(Pat Emm\) as a project contact on each install/)
  t.ok(f?.links.includes('https://docs.enerflo.io/reference/delete-a-contact-from-an-install'), 'links Enerflo\'s page')
  t.ok(f?.links.includes('https://docs.enerflo.io/recipes/delete-project-contacts-using-customer-id'), 'and its recipe')
  t.match(f?.notAutomatic, /no exact request/)
  const trail = await h.app.store.auditTrail('okta:00upm')
  t.equal(trail[0]?.outcome, 'applied')
  t.match(trail[0]?.notes?.join('\n'), new RegExp(`Project Manager removed: follow-up ${f?.id ?? 'x'} for an operator`), 'the audit names the follow-up')

  const s = await status(h)
  t.equal(s.status, 'degraded', 'a person is needed')
  t.match(s.followUps, { open: 1, items: [{ id: f?.id, userKey: 'okta:00upm', who: 'Pat Emm' }] }, '/status counts it')
  t.ok(s.reasons.some((r) => /1 follow-up\(s\) wait for an operator: a Project Manager role was removed/.test(r)), 'and says why')
  t.match((await h.app.inject({ method: 'GET', url: '/metrics' })).body, /^enerflo_sync_follow_ups_open 1$/m, 'the gauge counts it')

  // Another sync with the role already gone: no removal, no second follow-up.
  h.directory.updateProfile('00upm', { mobilePhone: '480-555-0199' })
  await send(h, '00upm')
  await settled(h)
  t.equal(h.enerflo.user(505)?.phone, '4805550199')
  t.same((await list(h)).followUps.map((x) => x.id), [f?.id], 'still the one follow-up')

  // Someone grants the role again by hand in Enerflo; the service reads Enerflo's user list and
  // removes the managed role Pat no longer earns: the open follow-up stands for it, no second one.
  const grant = await fetch(new URL('/api/v3/users', h.config.ENERFLO_BASE_URL), { method: 'PUT', headers: { ...json, 'api-key': h.config.ENERFLO_API_KEY ?? '' }, body: JSON.stringify({ id: 505, roles: ['Project Manager', 'Sales Rep'] }) })
  t.equal(grant.status, 200)
  await h.app.directory.refresh({ listUsers: async (page, state) => await h.app.enerflo.listUsers!(page, state) }, async () => {})
  await send(h, '00upm')
  await settled(h)
  t.same(h.enerflo.user(505)?.roles, ['Sales Rep'], 'removed again')
  const again = await list(h)
  t.equal(again.open, 1)
  t.same(again.followUps.map((x) => x.id), [f?.id], 'the open follow-up, not another')

  const done = await h.app.inject({ method: 'POST', url: `/ops/follow-ups/${f?.id ?? ''}/done`, headers: h.ops })
  t.equal(done.statusCode, 200)
  t.match(done.json(), { id: f?.id, done: true, doneAt: String })
  const twice = await h.app.inject({ method: 'POST', url: `/ops/follow-ups/${f?.id ?? ''}/done`, headers: h.ops })
  t.equal(twice.statusCode, 409)
  t.match(twice.json(), { message: new RegExp(`follow-up ${f?.id ?? 'x'} was already marked done at `) })
  const unknown = await h.app.inject({ method: 'POST', url: '/ops/follow-ups/999/done', headers: h.ops })
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json(), { message: /no follow-up 999/ })
  t.equal((await h.app.inject({ method: 'POST', url: '/ops/follow-ups/abc/done', headers: h.ops })).statusCode, 400, 'an id is a number')
  t.equal((await h.app.inject({ method: 'GET', url: '/ops/follow-ups' })).statusCode, 401, 'the ops token is needed')

  const after = await list(h)
  t.equal(after.open, 0)
  t.match(after.followUps, [{ id: f?.id, done: true }], 'shown among the recent done ones')
  const s2 = await status(h)
  t.equal(s2.followUps?.open, 0)
  t.notOk(s2.reasons.some((r) => /follow-up/.test(r)))
  t.match((await h.app.inject({ method: 'GET', url: '/metrics' })).body, /^enerflo_sync_follow_ups_open 0$/m)
})

t.test('a removal of another managed role records no follow-up', async (t) => {
  const h = await startHarness(t, { mapping, groups, oktaUsers: okta(), enerfloUsers: enerflo() })
  await send(h, '00upm')
  await settled(h)
  h.directory.removeFromGroup('00upm', '00greps')
  await send(h, '00upm')
  await settled(h)
  t.same(h.enerflo.user(505)?.roles, ['Project Manager'], 'Sales Rep removed')
  t.same(await list(h), { open: 0, followUps: [] })
})
