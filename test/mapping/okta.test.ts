import t from 'tap'
import { mapOktaUser, OKTA_ACTIVE_STATUSES } from '../../src/mapping/okta.js'
import type { Mapping } from '../../src/mapping/mapping-file.js'
import type { OktaGroup, OktaUser } from '../../src/mapping/types.js'

const mapping: Mapping = {
  identity: { okta: { enerfloUserIdAttribute: 'enerfloUserId', managerEmailAttribute: 'managerEmail' } },
  roles: [
    { group: 'Reps', roles: ['Sales Rep'] },
    { group: 'Setters', roles: ['Setter', 'Sales Rep'] },
    { group: 'RMs', roles: ['Regional Manager'] }
  ],
  offices: [
    { group: 'Office Phoenix', officeId: 101 },
    { group: 'Office Denver', officeId: 102 },
    { group: 'Office Tucson', officeId: 103 }
  ]
}

let n = 0
const group = (name: string): OktaGroup => ({ id: `00g${++n}`, type: 'OKTA_GROUP', profile: { name, description: null } })
const user = (profile: Record<string, unknown>, status = 'ACTIVE'): OktaUser => ({ id: '00u1', status, profile })
const notesFor = (r: { notes: Array<{ field: string, reason: string }> }, field: string) =>
  r.notes.filter((x) => x.field === field).map((x) => x.reason)

t.test('a full user maps every field', async (t) => {
  const r = mapOktaUser(user({
    login: 'sam.patel@example.com', email: ' Sam.Patel@Example.com ', firstName: ' Sam ', lastName: 'Patel',
    mobilePhone: '+1 (602) 555-0199', primaryPhone: '720-555-0103', managerEmail: 'Jordan.Rivera@Example.com ', enerfloUserId: '1002'
  }), [group('Everyone'), group('Reps'), group('Office Phoenix')], mapping)
  t.same(r.desired, {
    first_name: 'Sam', last_name: 'Patel', email: 'sam.patel@example.com', phone: '6025550199',
    manager_email: 'jordan.rivera@example.com', active: true, roles: ['Sales Rep'], office_ids: [101]
  })
  t.equal(r.enerfloUserId, 1002)
  t.same(r.notes, [])
})

t.test('values Okta does not have are left out, never sent as ""', async (t) => {
  const r = mapOktaUser(user({ login: 'not-an-email', email: null, firstName: '', lastName: '   ', mobilePhone: null, managerEmail: '' }), [], mapping)
  t.same(r.desired, { active: true })
  for (const v of Object.values(r.desired)) t.not(v, '')
  t.equal(r.enerfloUserId, undefined)
  t.notOk(r.notes.some((n) => n.field === 'id'))
})

t.test('email falls back to the login when it looks like an email', async (t) => {
  t.equal(mapOktaUser(user({ login: 'Alex@Example.com' }), [], mapping).desired.email, 'alex@example.com')
  const r = mapOktaUser(user({ email: 'nope', login: 'alex' }), [], mapping)
  t.equal(r.desired.email, undefined)
  t.match(notesFor(r, 'email'), [/not an email address/])
})

t.test('phone: mobile first, primary when mobile is missing or unusable, notes without the number', async (t) => {
  t.equal(mapOktaUser(user({ primaryPhone: '720.555.0103' }), [], mapping).desired.phone, '7205550103')
  const fallback = mapOktaUser(user({ mobilePhone: '+44 20 7946 0958', primaryPhone: '720.555.0103' }), [], mapping)
  t.equal(fallback.desired.phone, '7205550103')
  t.match(notesFor(fallback, 'phone'), [/mobilePhone: not a North American number.*used the next/])
  const none = mapOktaUser(user({ mobilePhone: '+44 20 7946 0958' }), [], mapping)
  t.equal(none.desired.phone, undefined)
  t.match(notesFor(none, 'phone'), [/phone left out/])
  t.notMatch(JSON.stringify(none.notes), '7946')
})

t.test('a manager email that is not an email is noted and left out', async (t) => {
  const r = mapOktaUser(user({ managerEmail: 'Jordan Rivera' }), [], mapping)
  t.equal(r.desired.manager_email, undefined)
  t.match(notesFor(r, 'manager_email'), [/profile\.managerEmail: not an email/])
})

t.test('without identity attributes in the mapping, neither is read', async (t) => {
  const r = mapOktaUser(user({ managerEmail: 'a@b.co', enerfloUserId: '7' }), [], { ...mapping, identity: {} })
  t.equal(r.desired.manager_email, undefined)
  t.equal(r.enerfloUserId, undefined)
})

t.test('roles: the sorted, de-duplicated union of the mapped groups', async (t) => {
  const r = mapOktaUser(user({}), [group('Setters'), group('Unmapped'), group('RMs'), group('Reps')], mapping)
  t.same(r.desired.roles, ['Regional Manager', 'Sales Rep', 'Setter'])
  t.same(notesFor(r, 'roles'), [])
  t.equal(mapOktaUser(user({}), [group('reps')], mapping).desired.roles, undefined, 'group names match exactly')
})

t.test('no mapped role group: roles left out with a note (never stripped)', async (t) => {
  const r = mapOktaUser(user({}), [group('Everyone')], mapping)
  t.notOk('roles' in r.desired)
  t.match(notesFor(r, 'roles'), [/none of the mapped role groups/])
})

t.test('offices follow the file order, not Okta order; a Regional Manager gets them all', async (t) => {
  const r = mapOktaUser(user({}), [group('Office Tucson'), group('RMs'), group('Office Phoenix'), group('Office Denver')], mapping)
  t.same(r.desired.office_ids, [101, 102, 103])
  t.same(notesFor(r, 'office_ids'), [])
})

t.test('anyone else gets the first office only, with a note naming the others', async (t) => {
  const r = mapOktaUser(user({}), [group('Office Tucson'), group('Reps'), group('Office Denver')], mapping)
  t.same(r.desired.office_ids, [102])
  t.match(notesFor(r, 'office_ids'), [/office ids 103 left out: only a Regional Manager/])
  const noRoles = mapOktaUser(user({}), [group('Office Denver'), group('Office Phoenix')], mapping)
  t.same(noRoles.desired.office_ids, [101])
})

t.test('no mapped office group: office_ids left out with a note', async (t) => {
  const r = mapOktaUser(user({}), [group('Reps')], mapping)
  t.notOk('office_ids' in r.desired)
  t.match(notesFor(r, 'office_ids'), [/none of the mapped office groups/])
})

t.test('two groups for one office give it once', async (t) => {
  const m: Mapping = { ...mapping, offices: [{ group: 'A', officeId: 5 }, { group: 'B', officeId: 5 }] }
  t.same(mapOktaUser(user({}), [group('A'), group('B')], m).desired.office_ids, [5])
})

t.test('status table', async (t) => {
  const expected: Record<string, boolean> = {
    ACTIVE: true, PROVISIONED: true, RECOVERY: true, PASSWORD_EXPIRED: true, LOCKED_OUT: true,
    STAGED: false, SUSPENDED: false, DEPROVISIONED: false
  }
  t.same(OKTA_ACTIVE_STATUSES, expected)
  for (const [status, active] of Object.entries(expected)) {
    const r = mapOktaUser(user({}, status), [], mapping)
    t.equal(r.desired.active, active, status)
    t.same(notesFor(r, 'active'), [])
  }
  for (const status of ['FROZEN', 'constructor', '']) {
    const r = mapOktaUser(user({}, status), [], mapping)
    t.equal(r.desired.active, false, `unknown ${JSON.stringify(status)} is inactive`)
    t.match(notesFor(r, 'active'), [/unknown Okta status/])
  }
})

t.test('a user deleted in Okta is deactivated and nothing else', async (t) => {
  const r = mapOktaUser(null, [], mapping)
  t.same(r.desired, { active: false })
  t.match(notesFor(r, 'active'), [/no longer exists in Okta/])
})

t.test('enerfloUserId: a positive whole number or a string of digits', async (t) => {
  const id = (v: unknown) => mapOktaUser(user({ enerfloUserId: v }), [], mapping)
  t.equal(id(1001).enerfloUserId, 1001)
  t.equal(id(' 1002 ').enerfloUserId, 1002)
  t.equal(id('2147483647').enerfloUserId, 2147483647)
  for (const v of [0, -3, 1.5, '12a', '-4', '0', '1e3', '99999999999', true, { id: 1 }]) {
    const r = id(v)
    t.equal(r.enerfloUserId, undefined, JSON.stringify(v))
    t.match(r.notes.find((n) => n.field === 'id')?.reason, /^profile\.enerfloUserId: /)
  }
  for (const v of [undefined, null, '', '  ']) {
    t.equal(id(v).enerfloUserId, undefined)
    t.notOk(id(v).notes.some((n) => n.field === 'id'), 'no value is not a problem')
  }
})
