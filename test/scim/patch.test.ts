/**
 * PATCH on a User's attributes: the Okta and Entra samples, the aadOptscim062020 forms with and
 * without the flag, paths with filters, sub-attributes and URN prefixes, the multi-valued rules,
 * all-or-nothing, the input left untouched, and every error class.
 */
import t from 'tap'
import { applyUserPatch, type UserAttributes } from '../../src/scim/user-body.js'
import { ENTERPRISE_SCHEMA, PATCH_SCHEMA, USER_SCHEMA } from '../../src/scim/schema.js'
import { sample } from './samples.js'

const base = (): UserAttributes => ({
  userName: 'jo@example.com',
  name: { givenName: 'Jo', familyName: 'Doe' },
  displayName: 'Jo Doe',
  active: true,
  emails: [{ value: 'jo@example.com', type: 'work', primary: true }, { value: 'jo@home.net', type: 'home' }],
  [ENTERPRISE_SCHEMA]: { department: 'Sales', manager: { value: 'm-1', displayName: 'Boss' } }
})
const ops = (...Operations: unknown[]): unknown => ({ schemas: [PATCH_SCHEMA], Operations })
const patch = (attrs: UserAttributes, body: unknown): UserAttributes => {
  const r = applyUserPatch(attrs, body)
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problem)}`)
  return r.attrs
}
const refused = (attrs: UserAttributes, body: unknown): unknown => {
  const r = applyUserPatch(attrs, body)
  return r.ok ? { unexpected: r.attrs } : r.problem
}
const ext = (a: UserAttributes): unknown => a[ENTERPRISE_SCHEMA]

t.test('the Okta deactivation sample (no path)', async (t) => {
  const before = base()
  const after = patch(before, sample('scim-okta-patch-deactivate-user-request.json'))
  t.equal(after['active'], false)
  t.equal(before['active'], true, 'the input is not mutated')
  t.strictSame({ ...after, active: true }, base(), 'nothing else changed')
  t.equal(patch(after, ops({ op: 'replace', value: { active: true } }))['active'], true)
})

t.test('the Entra manager sample: a bare id', async (t) => {
  const after = patch(base(), sample('scim-entra-patch-manager-string-value-issue686-request.json'))
  t.strictSame(ext(after), { department: 'Sales', manager: { value: '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2' } }, 'the old display name does not stay')
  const none = patch({ userName: 'a' }, sample('scim-entra-patch-manager-string-value-issue686-request.json'))
  t.strictSame(none, { userName: 'a', [ENTERPRISE_SCHEMA]: { manager: { value: '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2' } } })
  t.strictSame(ext(patch(base(), ops({ op: 'Replace', path: `${ENTERPRISE_SCHEMA}:manager`, value: { value: 'm-2' } }))), { department: 'Sales', manager: { value: 'm-2' } })
  t.strictSame(ext(patch(base(), ops({ op: 'replace', path: `${ENTERPRISE_SCHEMA}:manager.value`, value: 'm-3' }))), { department: 'Sales', manager: { value: 'm-3' } })
  t.strictSame(ext(patch(base(), ops({ op: 'Remove', path: `${ENTERPRISE_SCHEMA}:manager` }))), { department: 'Sales' })
  const gone = patch(base(), ops({ op: 'remove', path: `${ENTERPRISE_SCHEMA}:manager` }, { op: 'remove', path: `${ENTERPRISE_SCHEMA}:department` }))
  t.notOk(ENTERPRISE_SCHEMA in gone, 'an empty extension is left out')
})

t.test('Entra without the flag: Replace per path, "False" as a string', async (t) => {
  t.equal(patch(base(), ops({ op: 'Replace', path: 'active', value: 'False' }))['active'], false)
  t.equal(patch({ userName: 'a', active: false }, ops({ op: 'Replace', path: 'active', value: 'True' }))['active'], true)
  const after = patch(base(), ops(
    { op: 'Replace', path: 'displayName', value: 'Jo D.' },
    { op: 'Replace', path: 'name.givenName', value: 'Joanna' },
    { op: 'Replace', path: 'emails[type eq "work"].value', value: 'joanna@example.com' },
    { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '602-555-0199' },
    { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', value: '1002' },
    { op: 'Replace', path: 'title', value: '' }
  ))
  t.strictSame(after, {
    userName: 'jo@example.com',
    name: { givenName: 'Joanna', familyName: 'Doe' },
    displayName: 'Jo D.',
    active: true,
    emails: [{ value: 'joanna@example.com', type: 'work', primary: true }, { value: 'jo@home.net', type: 'home' }],
    phoneNumbers: [{ type: 'mobile', value: '602-555-0199' }],
    [ENTERPRISE_SCHEMA]: { department: 'Sales', manager: { value: 'm-1', displayName: 'Boss' }, employeeNumber: '1002' }
  })
})

t.test('Entra with the flag: path-less replace with dotted and URN keys', async (t) => {
  const after = patch(base(), ops({
    op: 'replace',
    value: {
      active: false,
      displayName: 'Jo D.',
      'name.givenName': 'Joanna',
      'name.familyName': 'Dee',
      'emails[type eq "work"].value': 'joanna@example.com',
      [`${ENTERPRISE_SCHEMA}:department`]: 'Ops',
      [`${USER_SCHEMA}:title`]: 'Rep'
    }
  }))
  t.strictSame(after, {
    userName: 'jo@example.com',
    name: { givenName: 'Joanna', familyName: 'Dee' },
    displayName: 'Jo D.',
    active: false,
    emails: [{ value: 'joanna@example.com', type: 'work', primary: true }, { value: 'jo@home.net', type: 'home' }],
    [ENTERPRISE_SCHEMA]: { department: 'Ops', manager: { value: 'm-1', displayName: 'Boss' } },
    title: 'Rep'
  })
  t.equal(patch(base(), ops({ op: 'replace', path: 'active', value: false }))['active'], false)
})

t.test('path-less value holding the extension object', async (t) => {
  const after = patch(base(), ops({ op: 'add', value: { nickName: 'JJ', [ENTERPRISE_SCHEMA.toUpperCase()]: { costCenter: 'CC-9', manager: 'm-7' } } }))
  t.equal(after['nickName'], 'JJ')
  t.strictSame(ext(after), { department: 'Sales', manager: { value: 'm-7' }, costCenter: 'CC-9' })
  t.strictSame(ext(patch(base(), ops({ op: 'replace', path: ENTERPRISE_SCHEMA, value: { division: 'West' } }))), { department: 'Sales', manager: { value: 'm-1', displayName: 'Boss' }, division: 'West' })
  t.notOk(ENTERPRISE_SCHEMA in patch(base(), ops({ op: 'remove', path: ENTERPRISE_SCHEMA })))
})

t.test('op in any case, Operations key in any case', async (t) => {
  for (const op of ['replace', 'Replace', 'REPLACE', 'rEpLaCe']) t.equal(patch(base(), ops({ op, path: 'title', value: 'X' }))['title'], 'X', op)
  t.equal(patch(base(), ops({ op: 'ADD', path: 'title', value: 'Y' }))['title'], 'Y')
  t.equal(patch(base(), { schemas: [PATCH_SCHEMA], operations: [{ OP: 'add', PATH: 'title', VALUE: 'Z' }] })['title'], 'Z')
  t.equal(patch(base(), ops({ op: 'replace', path: 'DISPLAYNAME', value: 'Q' }))['displayName'], 'Q', 'attribute names are case-insensitive')
  t.notOk('title' in patch({ userName: 'a', title: 'x' }, ops({ op: 'remove', path: 'Title' })))
})

t.test('complex single values merge; a null sub-attribute is removed', async (t) => {
  t.strictSame(patch(base(), ops({ op: 'replace', path: 'name', value: { middleName: 'Q', familyName: null } }))['name'], { givenName: 'Jo', middleName: 'Q' })
  t.strictSame(patch(base(), ops({ op: 'add', value: { name: { formatted: 'Jo Doe' } } }))['name'], { givenName: 'Jo', familyName: 'Doe', formatted: 'Jo Doe' })
  t.strictSame(patch({ userName: 'a' }, ops({ op: 'add', path: 'name.givenName', value: 'Al' }))['name'], { givenName: 'Al' })
  t.notOk('name' in patch({ userName: 'a', name: { givenName: 'Al' } }, ops({ op: 'remove', path: 'name.givenName' })))
  t.notOk('name' in patch(base(), ops({ op: 'remove', path: 'name' })))
  t.notOk('name' in patch(base(), ops({ op: 'replace', path: 'name', value: null })))
})

t.test('add on a multi-valued attribute appends, replacing an equal value', async (t) => {
  const a = patch(base(), ops({ op: 'add', path: 'emails', value: [{ value: 'other@x.y', type: 'other' }] }))
  t.strictSame(a['emails'], [{ value: 'jo@example.com', type: 'work', primary: true }, { value: 'jo@home.net', type: 'home' }, { value: 'other@x.y', type: 'other' }])
  const b = patch(base(), ops({ op: 'add', path: 'emails', value: [{ value: 'JO@home.net', type: 'home', display: 'Home' }] }))
  t.strictSame(b['emails'], [{ value: 'jo@example.com', type: 'work', primary: true }, { value: 'JO@home.net', type: 'home', display: 'Home' }])
  const c = patch(base(), ops({ op: 'add', path: 'emails', value: { value: 'single@x.y' } }))
  t.equal((c['emails'] as unknown[]).length, 3, 'a single object is taken as one value')
  const d = patch(base(), ops({ op: 'add', value: { emails: [{ value: 'new@x.y', primary: true }] } }))
  t.strictSame(d['emails'], [{ value: 'jo@example.com', type: 'work', primary: false }, { value: 'jo@home.net', type: 'home' }, { value: 'new@x.y', primary: true }], 'a new primary takes over')
  t.strictSame(patch(base(), ops({ op: 'add', path: 'emails', value: [] }))['emails'], base()['emails'], 'adding nothing changes nothing')
})

t.test('replace on a multi-valued attribute replaces it', async (t) => {
  t.strictSame(patch(base(), ops({ op: 'replace', path: 'emails', value: [{ value: 'only@x.y', type: 'work' }] }))['emails'], [{ value: 'only@x.y', type: 'work' }])
  t.notOk('emails' in patch(base(), ops({ op: 'replace', path: 'emails', value: [] })))
})

t.test('filters: replace the matched values, create a [type eq] one when none matches', async (t) => {
  const a = patch(base(), ops({ op: 'replace', path: 'emails[value eq "jo@home.net"].type', value: 'other' }))
  t.strictSame(a['emails'], [{ value: 'jo@example.com', type: 'work', primary: true }, { value: 'jo@home.net', type: 'other' }])
  const b = patch({ userName: 'a' }, ops({ op: 'replace', path: 'emails[type eq "work"].value', value: 'w@x.y' }))
  t.strictSame(b['emails'], [{ type: 'work', value: 'w@x.y' }], 'Entra\'s work email on a user without one')
  const c = patch(base(), ops({ op: 'replace', path: 'emails[type eq "work" and primary eq true].value', value: 'w2@x.y' }))
  t.strictSame(c['emails'], [{ value: 'w2@x.y', type: 'work', primary: true }, { value: 'jo@home.net', type: 'home' }])
  const d = patch(base(), ops({ op: 'replace', path: 'emails[primary eq "True"].display', value: 'Main' }))
  t.strictSame(d['emails'], [{ value: 'jo@example.com', type: 'work', primary: true, display: 'Main' }, { value: 'jo@home.net', type: 'home' }])
  const e = patch(base(), ops({ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'new@home.net' } }))
  t.strictSame(e['emails'], [{ value: 'jo@example.com', type: 'work', primary: true }, { type: 'home', value: 'new@home.net' }], 'the filter\'s type stays on a replaced value')
  const f = patch(base(), ops({ op: 'add', path: 'emails[type eq "home"]', value: { display: 'Home' } }))
  t.strictSame(f['emails'], [{ value: 'jo@example.com', type: 'work', primary: true }, { value: 'jo@home.net', type: 'home', display: 'Home' }])
  const g = patch(base(), ops({ op: 'replace', path: 'emails[type eq "home"].primary', value: true }))
  t.strictSame(g['emails'], [{ value: 'jo@example.com', type: 'work', primary: false }, { value: 'jo@home.net', type: 'home', primary: true }], 'a value made primary takes over')
  const h = patch(base(), ops({ op: 'replace', path: 'emails[type eq "WORK"].value', value: 'ci@x.y' }))
  t.equal((h['emails'] as Array<{ value: string }>)[0]?.value, 'ci@x.y', 'type is compared case-insensitively')
  const i = patch(base(), ops({ op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Main St' }, { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Phoenix' }))
  t.strictSame(i['addresses'], [{ type: 'work', streetAddress: '1 Main St', locality: 'Phoenix' }])
  const j = patch(base(), ops({ op: 'replace', path: 'emails[type eq "work"].value', value: '' }))
  t.strictSame(j['emails'], [{ value: 'jo@home.net', type: 'home' }], 'an emptied value goes')
})

t.test('remove: with a filter, a sub-attribute, a value list, or the whole attribute', async (t) => {
  t.strictSame(patch(base(), ops({ op: 'remove', path: 'emails[type eq "home"]' }))['emails'], [{ value: 'jo@example.com', type: 'work', primary: true }])
  t.strictSame(patch(base(), ops({ op: 'remove', path: 'emails[type eq "nothing"]' }))['emails'], base()['emails'], 'no match: nothing removed')
  t.strictSame(patch(base(), ops({ op: 'remove', path: 'emails[type eq "work"].primary' }))['emails'], [{ value: 'jo@example.com', type: 'work' }, { value: 'jo@home.net', type: 'home' }])
  t.strictSame(patch(base(), ops({ op: 'remove', path: 'emails.type' }))['emails'], [{ value: 'jo@example.com', primary: true }, { value: 'jo@home.net' }])
  t.strictSame(patch(base(), ops({ op: 'remove', path: 'emails', value: [{ value: 'JO@EXAMPLE.COM' }] }))['emails'], [{ value: 'jo@home.net', type: 'home' }])
  t.notOk('emails' in patch(base(), ops({ op: 'remove', path: 'emails' })))
  t.notOk('emails' in patch(base(), ops({ op: 'remove', path: 'emails[type eq "work"]' }, { op: 'remove', path: 'emails[type eq "home"]' })))
})

t.test('password is accepted and never stored', async (t) => {
  t.strictSame(patch(base(), ops({ op: 'replace', value: { password: 'new-secret' } })), base())
  t.strictSame(patch(base(), ops({ op: 'replace', path: 'password', value: 'x' })), base())
})

t.test('server-owned keys in a path-less value are skipped, as clients echo them', async (t) => {
  t.strictSame(patch(base(), ops({ op: 'replace', value: { id: 'x', schemas: [USER_SCHEMA], meta: {}, title: 'T' } })), { ...base(), title: 'T' })
})

t.test('errors: the envelope', async (t) => {
  t.match(refused(base(), null), { status: 400, scimType: 'invalidSyntax' })
  t.match(refused(base(), []), { status: 400, scimType: 'invalidSyntax' })
  t.match(refused(base(), { Operations: [{ op: 'add', path: 'title', value: 'x' }] }), { status: 400, scimType: 'invalidSyntax', detail: /PatchOp/ })
  t.match(refused(base(), { schemas: [USER_SCHEMA], Operations: [{ op: 'add', path: 'title', value: 'x' }] }), { status: 400, scimType: 'invalidSyntax' })
  t.match(refused(base(), { schemas: [PATCH_SCHEMA] }), { status: 400, scimType: 'invalidSyntax', detail: /Operations/ })
  t.match(refused(base(), ops()), { status: 400, scimType: 'invalidSyntax', detail: /non-empty/ })
  t.match(refused(base(), { schemas: [PATCH_SCHEMA], Operations: { op: 'add' } }), { status: 400, scimType: 'invalidSyntax' })
  const many = Array.from({ length: 101 }, () => ({ op: 'add', path: 'title', value: 'x' }))
  t.match(refused(base(), ops(...many)), { status: 400, scimType: 'invalidSyntax', detail: /at most 100/ })
  t.ok(applyUserPatch(base(), ops(...many.slice(0, 100))).ok, '100 operations are fine')
  t.match(refused(base(), ops('add')), { status: 400, scimType: 'invalidSyntax' })
  t.match(refused(base(), ops({ op: 'move', path: 'title', value: 'x' })), { status: 400, scimType: 'invalidSyntax', detail: /add, replace or remove/ })
  t.match(refused(base(), ops({ path: 'title', value: 'x' })), { status: 400, scimType: 'invalidSyntax' })
  t.match(refused(base(), ops({ op: 'add', path: 3, value: 'x' })), { status: 400, scimType: 'invalidSyntax' })
  t.match(refused(base(), ops({ op: 'add', path: 'title' })), { status: 400, scimType: 'invalidSyntax', detail: /needs a value/ })
  t.match(refused(base(), ops({ op: 'remove' })), { status: 400, scimType: 'noTarget' })
  t.match(refused(base(), ops({ op: 'Remove', path: '' })), { status: 400, scimType: 'noTarget' })
  t.match(refused(base(), ops({ op: 'replace', value: 'x' })), { status: 400, scimType: 'invalidValue', detail: /object value/ })
})

t.test('errors: paths', async (t) => {
  t.match(refused(base(), ops({ op: 'replace', path: 'favouriteColour', value: 'x' })), { status: 400, scimType: 'invalidPath', detail: /favouriteColour/ })
  t.match(refused(base(), ops({ op: 'replace', value: { favouriteColour: 'x' } })), { status: 400, scimType: 'invalidPath', detail: /favouriteColour/ })
  t.match(refused(base(), ops({ op: 'replace', path: 'name.nothing', value: 'x' })), { status: 400, scimType: 'invalidPath', detail: /nothing/ })
  t.match(refused(base(), ops({ op: 'replace', path: 'userName.x', value: 'x' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(base(), ops({ op: 'replace', path: 'title[type eq "x"]', value: 'x' })), { status: 400, scimType: 'invalidPath', detail: /not multi-valued/ })
  t.match(refused(base(), ops({ op: 'replace', path: 'emails[type co "w"].value', value: 'x' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(base(), ops({ op: 'replace', path: 'emails[type eq "w"', value: 'x' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(base(), ops({ op: 'replace', path: 'emails[type eq "w"]x', value: 'x' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(base(), ops({ op: 'replace', path: 'name.givenName.x', value: 'x' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(base(), ops({ op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName', value: 'x' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(base(), ops({ op: 'replace', path: 'urn:example:custom:title', value: 'x' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(base(), ops({ op: 'replace', path: `${ENTERPRISE_SCHEMA}:title`, value: 'x' })), { status: 400, scimType: 'invalidPath', detail: /title/ })
  t.match(refused(base(), ops({ op: 'replace', path: USER_SCHEMA, value: {} })), { status: 400, scimType: 'invalidPath' })
})

t.test('errors: read-only attributes', async (t) => {
  for (const path of ['id', 'meta', 'groups', 'ID', `${USER_SCHEMA}:id`, 'meta.lastModified']) {
    t.match(refused(base(), ops({ op: 'replace', path, value: 'x' })), { status: 400, scimType: 'mutability' }, path)
  }
  t.match(refused(base(), ops({ op: 'add', value: { groups: [{ value: 'g' }] } })), { status: 400, scimType: 'mutability' })
  t.match(refused(base(), ops({ op: 'remove', path: 'groups' })), { status: 400, scimType: 'mutability' })
})

t.test('errors: values', async (t) => {
  t.match(refused(base(), ops({ op: 'replace', path: 'active', value: 'nope' })), { status: 400, scimType: 'invalidValue', detail: /active/ })
  t.match(refused(base(), ops({ op: 'replace', path: 'displayName', value: 5 })), { status: 400, scimType: 'invalidValue', detail: /displayName/ })
  t.match(refused(base(), ops({ op: 'replace', path: 'emails', value: ['a@b.c'] })), { status: 400, scimType: 'invalidValue', detail: /emails/ })
  t.match(refused(base(), ops({ op: 'replace', path: 'emails[type eq "work"].value', value: 3 })), { status: 400, scimType: 'invalidValue', detail: /emails\.value/ })
  t.match(refused(base(), ops({ op: 'replace', path: 'name', value: 'Jo' })), { status: 400, scimType: 'invalidValue', detail: /name/ })
  t.match(refused(base(), ops({ op: 'replace', path: 'title', value: 'x'.repeat(2049) })), { status: 400, scimType: 'invalidValue', detail: /longer than 2048/ })
  t.match(refused(base(), ops({ op: 'add', path: 'emails', value: [{ value: 'a', primary: true }, { value: 'b', primary: true }] })), { status: 400, scimType: 'invalidValue', detail: /more than one primary/ })
  const fifty = Array.from({ length: 49 }, (_, i) => ({ value: `e${i}@x.y` }))
  t.match(refused(base(), ops({ op: 'add', path: 'emails', value: fifty })), { status: 400, scimType: 'invalidValue', detail: /more than 50/ })
})

t.test('errors: userName cannot be emptied', async (t) => {
  t.match(refused(base(), ops({ op: 'replace', path: 'userName', value: '' })), { status: 400, scimType: 'invalidValue', detail: /userName/ })
  t.match(refused(base(), ops({ op: 'replace', value: { userName: null } })), { status: 400, scimType: 'invalidValue', detail: /userName/ })
  t.match(refused(base(), ops({ op: 'remove', path: 'userName' })), { status: 400, scimType: 'invalidValue', detail: /userName/ })
  t.equal(patch(base(), ops({ op: 'replace', path: 'userName', value: 'new@example.com' }))['userName'], 'new@example.com')
})

t.test('all or nothing, and the input is never touched', async (t) => {
  const before = base()
  const snapshot = JSON.stringify(before)
  const r = applyUserPatch(before, ops({ op: 'replace', path: 'title', value: 'T' }, { op: 'replace', path: 'nothing', value: 'x' }))
  t.equal(r.ok, false)
  t.equal(JSON.stringify(before), snapshot)
  patch(before, ops({ op: 'replace', path: 'name.givenName', value: 'X' }, { op: 'remove', path: 'emails' }, { op: 'add', path: `${ENTERPRISE_SCHEMA}:manager`, value: 'z' }))
  t.equal(JSON.stringify(before), snapshot, 'a successful patch leaves its input alone')
})
