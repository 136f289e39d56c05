/**
 * The mapping core over plain data, and the adapters around it: a person described once and
 * written the Okta way and the Graph way maps to the same result through the one core.
 */
import t from 'tap'
import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import { mapDeletedPerson, mapPerson, type PersonData } from '../../src/mapping/core.js'
import { graphPerson, mapGraphUser, type GraphManagerData, type GraphUserData } from '../../src/mapping/graph.js'
import { mapOktaUser, oktaPerson } from '../../src/mapping/okta.js'
import type { Mapping } from '../../src/mapping/mapping-file.js'
import type { MappingResult, OktaUser } from '../../src/mapping/types.js'

const mapping: Mapping = {
  identity: { okta: { enerfloUserIdAttribute: 'enerfloUserId', managerEmailAttribute: 'managerEmail' }, graph: { enerfloUserIdAttribute: 'employeeId' } },
  roles: [{ group: 'Reps', roles: ['Sales Rep'] }, { group: 'RMs', roles: ['Regional Manager'] }],
  offices: [{ group: 'Phoenix', officeId: 101 }, { group: 'Denver', officeId: 102 }]
}
const person = (over: Partial<PersonData> = {}): PersonData => ({ firstName: 'Sam', lastName: 'Patel', emails: [], phones: [], status: { active: true }, groupNames: [], ...over })
const notesFor = (r: MappingResult, field: string): string[] => r.notes.filter((x) => x.field === field).map((x) => x.reason)

t.test('the core maps plain data with the labels the adapter gave', async (t) => {
  const r = mapPerson(person({
    emails: [{ label: 'work', value: 'not-an-email' }, { label: 'alt', value: 'Sam@Example.com' }],
    phones: [{ label: 'cell', value: '+44 20 7946 0958' }, { label: 'desk', value: '602-555-0199' }],
    manager: { label: 'boss', value: 'Jo@Example.com' },
    groupNames: ['Reps', 'Phoenix', 'Denver'],
    enerfloUserId: { label: 'eid', value: '1002' }
  }), mapping)
  t.same(r.desired, { first_name: 'Sam', last_name: 'Patel', email: 'sam@example.com', phone: '6025550199', manager_email: 'jo@example.com', active: true, roles: ['Sales Rep'], office_ids: [101] })
  t.equal(r.enerfloUserId, 1002)
  t.same(notesFor(r, 'email'), [], 'a usable fallback address: nothing to note')
  t.match(notesFor(r, 'phone'), [/^cell: not a North American number.*used the next phone attribute$/])
  t.match(notesFor(r, 'office_ids'), [/office ids 102 left out/])
  t.same(r.notes.map((n) => n.field), ['phone', 'office_ids'], 'notes in a fixed order')
})

t.test('only the first email candidate is noted when none is usable', async (t) => {
  t.same(notesFor(mapPerson(person({ emails: [{ label: 'work', value: 'x' }, { label: 'alt', value: 'y' }] }), mapping), 'email'), ['work: not an email address'])
  t.same(notesFor(mapPerson(person({ emails: [{ label: 'work', value: null }, { label: 'alt', value: 'y' }] }), mapping), 'email'), [])
})

t.test('manager: an empty attribute is silence, a known manager without an address is a note', async (t) => {
  t.same(mapPerson(person({ manager: { label: 'boss', value: '' } }), mapping).notes.filter((n) => n.field === 'manager_email'), [])
  t.same(notesFor(mapPerson(person({ manager: { label: 'boss', value: 'Jo' } }), mapping), 'manager_email'), ['boss: not an email address'])
  t.same(notesFor(mapPerson(person({ manager: { label: 'boss', value: null, unusable: 'no address' } }), mapping), 'manager_email'), ['no address'])
})

t.test('status: the adapter decides active; the core only sends it and says why', async (t) => {
  const unknown = mapPerson(person({ status: { note: 'could not tell' } }), mapping)
  t.notOk('active' in unknown.desired)
  t.same(notesFor(unknown, 'active'), ['could not tell'])
  t.same(mapDeletedPerson('SCIM'), { desired: { active: false }, notes: [{ field: 'active', reason: 'the user no longer exists in SCIM; deactivated' }] })
})

t.test('the adapters are the core: each mapper is its adapter fed to mapPerson', async (t) => {
  const okta: OktaUser = { id: '00u1', status: 'LOCKED_OUT', profile: { email: 'a@b.co', mobilePhone: 'x1', enerfloUserId: 'E7' } }
  t.same(mapOktaUser(okta, [{ id: 'g', profile: { name: 'Reps' } }], mapping), mapPerson(oktaPerson(okta, [{ id: 'g', profile: { name: 'Reps' } }], mapping), mapping))
  const graph: GraphUserData = { id: 'u1', mail: 'a@b.co', businessPhones: ['x1'], employeeId: 'E7' }
  t.same(mapGraphUser(graph, { mail: null, userPrincipalName: null }, ['Reps'], mapping), mapPerson(graphPerson(graph, { mail: null, userPrincipalName: null }, ['Reps'], mapping), mapping))
})

// One person, described once, then written as each provider holds it.
const maybeText = (a: fc.Arbitrary<string>): fc.Arbitrary<string | null> => fc.oneof(a, fc.constantFrom(null, '', '  '), fc.string())
const someone = fc.record({
  first: maybeText(fc.constantFrom('Sam', ' Ana ', 'Zoë')),
  last: maybeText(fc.constantFrom('Patel', 'Nguyen')),
  email: maybeText(fc.emailAddress()),
  login: maybeText(fc.emailAddress()),
  mobile: maybeText(fc.constantFrom('+1 (602) 555-0199', '602.555.0101 x12', '+44 20 7946 0958')),
  desk: maybeText(fc.constantFrom('720-555-0103', '12')),
  manager: fc.option(fc.oneof(fc.emailAddress(), fc.constantFrom('Jo Rivera'))),
  id: fc.option(fc.oneof(fc.integer({ min: 1, max: 99999 }).map(String), fc.constantFrom('E-77', '0'))),
  active: fc.boolean(),
  groups: fc.uniqueArray(fc.constantFrom('Reps', 'RMs', 'Phoenix', 'Denver', 'Everyone'))
})

t.test('the same person through the Okta and the Graph adapter: the same desired state, id and kinds of note', async (t) => {
  fc.assert(fc.property(someone, (p) => {
    const okta = mapOktaUser({
      id: '00u1', status: p.active ? 'ACTIVE' : 'SUSPENDED',
      profile: { firstName: p.first, lastName: p.last, email: p.email, login: p.login, mobilePhone: p.mobile, primaryPhone: p.desk, managerEmail: p.manager, enerfloUserId: p.id }
    }, p.groups.map((name, i) => ({ id: `00g${i}`, profile: { name } })), mapping)
    const boss: GraphManagerData | null = p.manager === null ? null : { mail: p.manager, userPrincipalName: null }
    const graph = mapGraphUser({
      id: 'u1', accountEnabled: p.active, givenName: p.first, surname: p.last, mail: p.email, userPrincipalName: p.login,
      mobilePhone: p.mobile, businessPhones: p.desk === null ? [] : [p.desk], employeeId: p.id
    }, boss, [...p.groups].reverse(), mapping)
    // Throw rather than assert, so fast-check shrinks a failure and prints the person.
    const same = (what: string, a: unknown, b: unknown): void => {
      if (!isDeepStrictEqual(a, b)) throw new Error(`${what}: Graph ${JSON.stringify(a)} ≠ Okta ${JSON.stringify(b)}`)
    }
    same('desired', graph.desired, okta.desired)
    same('enerfloUserId', graph.enerfloUserId, okta.enerfloUserId)
    same('note fields', graph.notes.map((n) => n.field), okta.notes.map((n) => n.field))
    same('office notes', notesFor(graph, 'office_ids'), notesFor(okta, 'office_ids'))
    same('role notes', notesFor(graph, 'roles'), notesFor(okta, 'roles'))
  }), { numRuns: 1000 })
  t.pass('1000 people through both adapters')
})
