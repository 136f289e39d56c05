import t from 'tap'
import { startHarness, type Harness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import { enerfloUsers, oktaUsers } from '../helpers/fixtures.js'
import type { SandboxUser } from '../../src/simulators/enerflo/sandbox.js'
import { fannedOut } from '../helpers/deliveries.js'

const json = { 'content-type': 'application/json' }

async function settled (h: Harness): Promise<void> {
  await fannedOut(h.app)
  await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    (c) => Object.values(c).every((n) => n === 0))
}

async function reconcile (h: Harness, body: Record<string, unknown>): Promise<{ id: string, run: Record<string, unknown>, lines: Array<Record<string, unknown>> }> {
  const res = await h.app.inject({ method: 'POST', url: '/ops/reconcile', headers: { ...json, ...h.ops }, payload: { source: 'enerflo', ...body } })
  if (res.statusCode !== 202) throw new Error(`reconcile answered ${res.statusCode}: ${res.body}`)
  const { id } = res.json() as { id: string }
  await waitFor('the run to finish', async () => (await h.app.inject({ method: 'GET', url: `/ops/reconcile/${id}`, headers: h.ops })).json().state, (s) => s !== 'running', 20_000)
  const report = (await h.app.inject({ method: 'GET', url: `/ops/reconcile/${id}/report`, headers: h.ops })).json() as { run: Record<string, unknown>, lines: Array<Record<string, unknown>> }
  return { id, ...report }
}

const sync = async (h: Harness, userId: string): Promise<void> => {
  await h.app.syncQueue.add('sync-user', { source: 'okta', userId, eventIds: [], receivedAt: Date.now() })
  await settled(h)
}

const extra = (id: number, email: string, over: Partial<SandboxUser> = {}): SandboxUser =>
  ({ id, first_name: 'X', last_name: 'Y', email, active: true, roles: ['Sales Rep'], office_ids: [101], surveys: 0, appointments: 0, ...over })

t.test('matching by email: one match links, none parks, several are ambiguous, a taken one is a conflict; inactive users are found', async (t) => {
  const okta = oktaUsers()
  okta.push(
    { id: '00utwin', status: 'ACTIVE', groups: ['00greps'], profile: { login: 'twin@example.com', email: 'twin@example.com', firstName: 'Tw', lastName: 'In' } },
    { id: '00ulost', status: 'ACTIVE', groups: ['00greps'], profile: { login: 'lost@example.com', email: 'lost@example.com', firstName: 'Lo', lastName: 'St' } },
    { id: '00uold', status: 'ACTIVE', groups: ['00greps'], profile: { login: 'old@example.com', email: 'old@example.com', firstName: 'Ol', lastName: 'D' } },
    { id: '00uclash', status: 'ACTIVE', groups: ['00greps'], profile: { login: 'rep@example.com', email: 'REP@example.com', firstName: 'Cl', lastName: 'Ash' } }
  )
  const e = [...enerfloUsers(), extra(701, 'twin@example.com'), extra(702, 'Twin@Example.com'), extra(703, 'old@example.com', { active: false })]
  const h = await startHarness(t, { oktaUsers: okta, enerfloUsers: e })
  const dry = await reconcile(h, { dryRun: true })
  t.equal(dry.run['state'], 'done')
  t.ok(((await h.app.directory.info())?.users ?? 0) >= 7, 'the directory holds active and inactive users')
  t.same(await h.app.directory.idsByEmail('OLD@example.com'), [703], 'an inactive user is found (status=inactive pass), case-insensitively')

  await sync(h, '00unolink')
  t.equal((await h.app.store.get('okta:00unolink')).enerfloId, 504, 'exactly one Enerflo user with that email: linked')
  t.match((await h.app.store.auditTrail('okta:00unolink'))[0]?.notes?.join(' '), /linked by email/)
  await sync(h, '00uold')
  t.equal((await h.app.store.get('okta:00uold')).enerfloId, 703, 'an inactive Enerflo user matches too (and is made active)')
  t.equal(h.enerflo.user(703)?.active, true)

  await sync(h, '00utwin')
  t.equal((await h.app.store.get('okta:00utwin')).enerfloId, undefined, 'two matches: not linked')
  const parked = (await h.app.inject({ method: 'GET', url: '/ops/unresolved', headers: h.ops })).json().users as Array<{ userKey: string, reason: string }>
  t.match(parked.find((u) => u.userKey === 'okta:00utwin')?.reason, /ambiguous: Enerflo users 701 and 702/, 'both are shown')
  await sync(h, '00ulost')
  t.match(parked.length, Number)
  const lost = ((await h.app.inject({ method: 'GET', url: '/ops/unresolved', headers: h.ops })).json().users as Array<{ userKey: string, reason: string }>).find((u) => u.userKey === 'okta:00ulost')
  t.match(lost?.reason, /no Enerflo user id/, 'no match: parked with the reason')

  await sync(h, '00urep') // links 502 through its identity attribute
  await sync(h, '00uclash')
  const clash = ((await h.app.inject({ method: 'GET', url: '/ops/unresolved', headers: h.ops })).json().users as Array<{ userKey: string, reason: string }>).find((u) => u.userKey === 'okta:00uclash')
  t.match(clash?.reason, /conflict: Enerflo user 502 is already linked to okta:00urep/, 'the match belongs to another identity: both named')
  t.equal(h.enerflo.user(502)?.first_name, 'Rey', 'and the other identity\'s user is untouched')

  const preview = (await h.app.inject({ method: 'GET', url: '/ops/preview/okta/00utwin', headers: h.ops })).json()
  t.match(preview, { resolvedBy: 'ambiguous' }, 'the preview says how the user would be resolved')
  t.match(preview.notes.join(' '), /user list as read at/, 'and when the directory was read')
})

t.test('drift: a field edited by hand in Enerflo is put back; a dry run only reports it', async (t) => {
  const h = await startHarness(t)
  await sync(h, '00urep')
  await sync(h, '00usetter')
  t.equal(h.enerflo.user(502)?.first_name, 'Rey')
  // Someone edits Rey in Enerflo (an API call is as good as the UI for the simulator).
  const edit = await fetch(`${h.config.ENERFLO_BASE_URL}/api/v3/users`, { method: 'PUT', headers: { 'api-key': h.config.ENERFLO_API_KEY ?? '', ...json }, body: JSON.stringify({ id: 502, first_name: 'Reynaldo' }) })
  t.equal(edit.status, 200)
  const writes = h.enerflo.requests().length
  const dry = await reconcile(h, { dryRun: true })
  t.match(dry.run, { state: 'done', dryRun: true, report: { update: 1, unchanged: 1 } })
  t.match(dry.lines.find((l) => l['id'] === '00urep'), { action: 'update', enerfloId: 502, fields: ['first_name'] })
  t.equal(h.enerflo.requests().length, writes, 'a dry run writes nothing')
  t.equal(await h.app.syncQueue.count(), 0, 'and queues nothing')
  const live = await reconcile(h, {})
  t.match(live.run, { progress: { queued: 1 } })
  await settled(h)
  t.equal(h.enerflo.user(502)?.first_name, 'Rey', 'put back')
  t.same(h.enerflo.requests().slice(writes).map((r) => r.body), [{ id: 502, first_name: 'Rey' }], 'with exactly the drifted field')
  const csv = await h.app.inject({ method: 'GET', url: `/ops/reconcile/${live.id}/report?format=csv`, headers: h.ops })
  t.match(csv.headers['content-type'], /^text\/csv/)
  t.match(csv.body, /^source,id,enerflo_id,action,fields,reason\nokta,00urep,502,update,first_name,/)
})

t.test('create on first sight: only with CREATE_USERS, only in a mapped role group; a taken email is parked with its holder', async (t) => {
  const okta = oktaUsers()
  okta.push(
    { id: '00unew', status: 'ACTIVE', groups: ['00greps', '00gphx', '00gden'], profile: { login: 'fresh@example.com', email: 'fresh@example.com', firstName: 'Fr', lastName: 'Esh', mobilePhone: '480-555-0199', managerEmail: 'boss@example.com' } },
    { id: '00unogroup', status: 'ACTIVE', groups: ['00gall'], profile: { login: 'free@example.com', email: 'free@example.com', firstName: 'Fr', lastName: 'Ee' } },
    { id: '00ughost', status: 'ACTIVE', groups: ['00greps'], profile: { login: 'ghost@example.com', email: 'ghost@example.com', firstName: 'Gh', lastName: 'Ost' } }
  )
  const e = [...enerfloUsers(), extra(801, 'ghost@example.com', { deleted: true } as Partial<SandboxUser>)]
  const off = await startHarness(t, { oktaUsers: okta, enerfloUsers: e })
  await reconcile(off, { dryRun: true })
  await sync(off, '00unew')
  t.equal(off.enerflo.creates().length, 0, 'CREATE_USERS off: nobody is created')
  t.ok(await off.app.store.isUnresolved('okta:00unew'))

  const h = await startHarness(t, { oktaUsers: okta, enerfloUsers: e, env: { CREATE_USERS: 'true' } })
  await reconcile(h, { dryRun: true })
  await sync(h, '00unew')
  const [created] = h.enerflo.creates()
  t.match(created?.body, { email: 'fresh@example.com', roles: ['Sales Rep'], office_id: 101, external_user_id: '00unew', notify_email: false, allow_optimus: false, manager_email: 'boss@example.com' })
  const id = (await h.app.store.get('okta:00unew')).enerfloId
  t.type(id, 'number', 'created and linked')
  t.equal(h.enerflo.user(id as number)?.email, 'fresh@example.com')
  const before = h.enerflo.requests().length
  await sync(h, '00unew')
  t.same(h.enerflo.user(id as number)?.office_ids, [101], 'a Sales Rep gets the first office only')
  t.equal(h.enerflo.requests().length, before, 'and the next sync finds nothing left to send')

  await sync(h, '00unogroup')
  t.equal(h.enerflo.creates().length, 1, 'never for a user outside the mapped role groups')
  t.match((await h.app.store.unresolved()).users.find((u) => u.userKey === 'okta:00unogroup')?.reason, /in no mapped role group/)

  await sync(h, '00ughost')
  t.equal(h.enerflo.creates().length, 2, 'one attempt')
  const ghost = (await h.app.store.unresolved()).users.find((u) => u.userKey === 'okta:00ughost')
  t.match(ghost?.reason, /already taken by a user the directory does not list .*deleted.*alias/, 'parked with the reason and the alias fix')
  t.equal(await h.app.syncQueue.getFailedCount(), 0, 'not retried blindly: parked, not a dead letter')
})

t.test('reconcile requests: unknown source or mode is a 400 naming the allowed values; a second run of a source is a 409 naming the first', async (t) => {
  const h = await startHarness(t, { role: 'api' })
  const bad = await h.app.inject({ method: 'POST', url: '/ops/reconcile', headers: { ...json, ...h.ops }, payload: { source: 'ldap' } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /okta|enerflo/)
  const mode = await h.app.inject({ method: 'POST', url: '/ops/reconcile', headers: { ...json, ...h.ops }, payload: { source: 'enerflo', mode: 'partial' } })
  t.equal(mode.statusCode, 400)
  t.match(mode.json().message, /incremental|full/)
  // An API-only process: the run waits for a worker, so the second request meets the first.
  const first = await h.app.inject({ method: 'POST', url: '/ops/reconcile', headers: { ...json, ...h.ops }, payload: { source: 'enerflo', dryRun: true } })
  t.equal(first.statusCode, 202)
  const second = await h.app.inject({ method: 'POST', url: '/ops/reconcile', headers: { ...json, ...h.ops }, payload: { source: 'enerflo' } })
  t.equal(second.statusCode, 409)
  t.match(second.json().message, new RegExp(first.json().id as string))
  t.equal((await h.app.inject({ method: 'GET', url: '/ops/reconcile/00000000-0000-0000-0000-000000000000', headers: h.ops })).statusCode, 404)
  const list = (await h.app.inject({ method: 'GET', url: '/ops/reconcile', headers: h.ops })).json()
  t.equal(list.runs[0].id, first.json().id)
})
