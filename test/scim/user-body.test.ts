/**
 * Reading SCIM User bodies (POST, PUT): the Okta samples, case-insensitive names, Entra's string
 * booleans and bare manager id, the dropped password, the size guards and every error class.
 */
import t from 'tap'
import { readUserBody, workEmail, userEmails, phones, isActive, managerId, type UserAttributes } from '../../src/scim/user-body.js'
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from '../../src/scim/schema.js'
import { sample } from './samples.js'

const read = (body: unknown): UserAttributes => {
  const r = readUserBody(body)
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problem)}`)
  return r.attrs
}
const problem = (body: unknown): unknown => {
  const r = readUserBody(body)
  return r.ok ? { unexpected: r.attrs } : r.problem
}

t.test('the Okta create sample', async (t) => {
  const attrs = read(sample('scim-okta-post-create-user-request.json'))
  t.strictSame(attrs, {
    userName: 'test.user@okta.local',
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    active: true
  })
  t.notOk('password' in attrs, 'the password is never stored')
  t.notOk('groups' in attrs, 'groups are the server\'s')
  t.equal(workEmail(attrs), 'test.user@okta.local')
  t.equal(isActive(attrs), true)
})

t.test('the Okta create sample without externalId', async (t) => {
  const attrs = read(sample('scim-okta-post-create-user-no-externalid-request.json'))
  t.notOk('externalId' in attrs)
  t.notOk('password' in attrs)
  t.equal(attrs['userName'], 'test.user@okta.local')
})

t.test('the Okta PUT sample: id, meta and groups ignored', async (t) => {
  const attrs = read(sample('scim-okta-put-update-user-request.json'))
  t.strictSame(attrs, {
    userName: 'test.user@okta.local',
    name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' },
    emails: [{ primary: true, value: 'test.user@okta.local', type: 'work', display: 'test.user@okta.local' }],
    active: true
  })
})

t.test('names are case-insensitive and stored canonically', async (t) => {
  const attrs = read({ USERNAME: 'jo@example.com', Name: { GIVENNAME: 'Jo', familyname: 'Doe' }, EMAILS: [{ VALUE: 'jo@example.com', Type: 'work', Primary: true }], DisplayName: 'Jo Doe', PHONENUMBERS: [{ value: '602-555-0199', type: 'mobile' }] })
  t.strictSame(attrs, { userName: 'jo@example.com', name: { givenName: 'Jo', familyName: 'Doe' }, emails: [{ value: 'jo@example.com', type: 'work', primary: true }], displayName: 'Jo Doe', phoneNumbers: [{ value: '602-555-0199', type: 'mobile' }] })
})

t.test('schemas: absent is fine, present must name the User schema (any case)', async (t) => {
  t.equal(read({ userName: 'a' })['userName'], 'a')
  t.equal(read({ schemas: [USER_SCHEMA.toUpperCase(), ENTERPRISE_SCHEMA], userName: 'a' })['userName'], 'a')
  t.match(problem({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], userName: 'a' }), { status: 400, scimType: 'invalidSyntax', detail: /not a SCIM User/ })
  t.match(problem({ schemas: USER_SCHEMA, userName: 'a' }), { status: 400, scimType: 'invalidSyntax' })
})

t.test('the body must be a JSON object', async (t) => {
  for (const body of [null, 'x', 3, [], [{ userName: 'a' }], undefined]) t.match(problem(body), { status: 400, scimType: 'invalidSyntax' }, JSON.stringify(body))
})

t.test('userName is required, non-empty, a string', async (t) => {
  for (const body of [{}, { userName: '' }, { userName: null }, { displayName: 'x' }]) t.match(problem(body), { status: 400, scimType: 'invalidValue', detail: /userName/ }, JSON.stringify(body))
  t.match(problem({ userName: 42 }), { status: 400, scimType: 'invalidValue', detail: /userName must be a string/ })
})

t.test('types are checked and the attribute named', async (t) => {
  t.match(problem({ userName: 'a', displayName: 5 }), { scimType: 'invalidValue', detail: /displayName must be a string/ })
  t.match(problem({ userName: 'a', active: 'yes' }), { scimType: 'invalidValue', detail: /active must be true or false/ })
  t.match(problem({ userName: 'a', active: 1 }), { scimType: 'invalidValue', detail: /active/ })
  t.match(problem({ userName: 'a', name: 'Jo Doe' }), { scimType: 'invalidValue', detail: /name must be an object/ })
  t.match(problem({ userName: 'a', name: { givenName: ['Jo'] } }), { scimType: 'invalidValue', detail: /name\.givenName must be a string/ })
  t.match(problem({ userName: 'a', emails: { value: 'a@b.c' } }), { scimType: 'invalidValue', detail: /emails must be an array of objects/ })
  t.match(problem({ userName: 'a', emails: ['a@b.c'] }), { scimType: 'invalidValue', detail: /emails must be an array of objects/ })
  t.match(problem({ userName: 'a', emails: [{ value: 7 }] }), { scimType: 'invalidValue', detail: /emails\.value must be a string/ })
  t.match(problem({ userName: 'a', emails: [{ value: 'x', primary: 'maybe' }] }), { scimType: 'invalidValue', detail: /emails\.primary/ })
  t.match(problem({ userName: 'a', [ENTERPRISE_SCHEMA]: 'sales' }), { scimType: 'invalidValue', detail: /must be an object/ })
  t.match(problem({ userName: 'a', [ENTERPRISE_SCHEMA]: { department: 3 } }), { scimType: 'invalidValue', detail: /department must be a string/ })
})

t.test('booleans accept Entra\'s strings', async (t) => {
  t.equal(read({ userName: 'a', active: 'False' })['active'], false)
  t.equal(read({ userName: 'a', active: 'True' })['active'], true)
  t.equal(read({ userName: 'a', active: 'false' })['active'], false)
  t.equal(read({ userName: 'a', active: 'true' })['active'], true)
  t.strictSame(read({ userName: 'a', emails: [{ value: 'x@y.z', primary: 'True' }] })['emails'], [{ value: 'x@y.z', primary: true }])
})

t.test('the enterprise extension, any case, manager as an object or a bare id', async (t) => {
  const a = read({ userName: 'a', [ENTERPRISE_SCHEMA.toLowerCase()]: { EmployeeNumber: '1002', department: 'Sales', manager: { value: 'm-1', displayName: 'Boss' }, unknownThing: 'x' } })
  t.strictSame(a[ENTERPRISE_SCHEMA], { employeeNumber: '1002', department: 'Sales', manager: { value: 'm-1', displayName: 'Boss' } })
  t.equal(managerId(a), 'm-1')
  const b = read({ userName: 'a', [ENTERPRISE_SCHEMA]: { manager: '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2' } })
  t.strictSame(b[ENTERPRISE_SCHEMA], { manager: { value: '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2' } })
  t.equal(managerId(b), '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2')
  const c = read({ userName: 'a', [`${ENTERPRISE_SCHEMA}:costCenter`]: 'CC-1' })
  t.strictSame(c[ENTERPRISE_SCHEMA], { costCenter: 'CC-1' }, 'a URN-prefixed key')
  const d = read({ userName: 'a', [ENTERPRISE_SCHEMA]: { manager: '', department: null } })
  t.notOk(ENTERPRISE_SCHEMA in d, 'an extension of unassigned values is left out')
  t.equal(managerId(d), undefined)
})

t.test('unknown, server-owned and write-only attributes are left out', async (t) => {
  const attrs = read({ userName: 'a', id: 'x', meta: { resourceType: 'User' }, groups: [{ value: 'g' }], password: 'secret', oktaExtra: 'x', 'urn:okta:custom:1.0:User': { a: 1 }, 'name.givenName': 'Jo' })
  t.strictSame(attrs, { userName: 'a' })
})

t.test('empty strings and nulls are unassigned', async (t) => {
  const attrs = read({ userName: 'a', displayName: '', title: null, name: { givenName: '', familyName: 'Doe' }, emails: [{ value: '', type: 'work' }, { value: 'b@c.d', type: 'home' }], phoneNumbers: [], addresses: [{}] })
  t.strictSame(attrs, { userName: 'a', name: { familyName: 'Doe' }, emails: [{ value: 'b@c.d', type: 'home' }] })
})

t.test('addresses keep their sub-attributes', async (t) => {
  const attrs = read({ userName: 'a', addresses: [{ streetAddress: '1 Main St', locality: 'Phoenix', region: 'AZ', postalCode: '85001', country: 'US', type: 'work', primary: true }] })
  t.strictSame(attrs['addresses'], [{ streetAddress: '1 Main St', locality: 'Phoenix', region: 'AZ', postalCode: '85001', country: 'US', type: 'work', primary: true }])
})

t.test('at most one primary per multi-valued attribute', async (t) => {
  t.match(problem({ userName: 'a', emails: [{ value: 'x', primary: true }, { value: 'y', primary: true }] }), { status: 400, scimType: 'invalidValue', detail: /emails has more than one primary/ })
  t.ok(readUserBody({ userName: 'a', emails: [{ value: 'x', primary: true }, { value: 'y', primary: false }] }).ok)
})

t.test('size guards', async (t) => {
  const many = Array.from({ length: 51 }, (_, i) => ({ value: `u${i}@example.com` }))
  t.match(problem({ userName: 'a', emails: many }), { status: 400, scimType: 'invalidValue', detail: /more than 50 values/ })
  t.ok(readUserBody({ userName: 'a', emails: many.slice(0, 50) }).ok, '50 values are fine')
  t.match(problem({ userName: 'x'.repeat(2049) }), { status: 400, scimType: 'invalidValue', detail: /userName is longer than 2048/ })
  t.ok(readUserBody({ userName: 'x'.repeat(2048) }).ok)
  t.match(problem({ userName: 'a', name: { givenName: 'x'.repeat(3000) } }), { scimType: 'invalidValue', detail: /name\.givenName is longer/ })
})

t.test('the mapper helpers', async (t) => {
  const attrs: UserAttributes = {
    userName: 'a',
    emails: [{ value: 'home@x.y', type: 'home' }, { value: 'p@x.y', primary: true }, { value: 'work@x.y', type: 'Work' }],
    phoneNumbers: [{ value: '111', type: 'mobile' }, { value: '222' }, { type: 'work' }]
  }
  t.equal(workEmail(attrs), 'work@x.y', 'type work first')
  t.equal(workEmail({ emails: [{ value: 'h@x.y', type: 'home' }, { value: 'p@x.y', primary: true }] }), 'p@x.y', 'then the primary')
  t.equal(workEmail({ emails: [{ value: 'h@x.y', type: 'home' }, { value: 'o@x.y' }] }), 'h@x.y', 'then the first')
  t.equal(workEmail({ userName: 'a' }), undefined)
  t.strictSame(userEmails(attrs), ['home@x.y', 'p@x.y', 'work@x.y'])
  t.strictSame(userEmails({}), [])
  t.strictSame(phones(attrs), [{ type: 'mobile', value: '111' }, { value: '222' }])
  t.equal(isActive({}), true, 'absent means active')
  t.equal(isActive({ active: false }), false)
  t.equal(isActive({ active: true }), true)
  t.equal(managerId({}), undefined)
  t.equal(managerId({ [ENTERPRISE_SCHEMA]: { manager: { value: 'm' } } }), 'm')
})
