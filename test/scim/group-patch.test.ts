/**
 * Group bodies and Group PATCH: both Entra forms of member removal, Okta's and Entra's adds,
 * removeAll, replaceMembers, path-less replaces, ops in any case, and the error classes.
 */
import t from 'tap'
import { readGroupBody, readGroupPatch, type GroupChange } from '../../src/scim/group-body.js'
import { GROUP_SCHEMA, PATCH_SCHEMA, USER_SCHEMA } from '../../src/scim/schema.js'

const ops = (...Operations: unknown[]): unknown => ({ schemas: [PATCH_SCHEMA], Operations })
const changes = (body: unknown): GroupChange[] => {
  const r = readGroupPatch(body)
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problem)}`)
  return r.changes
}
const refused = (body: unknown): unknown => {
  const r = readGroupPatch(body)
  return r.ok ? { unexpected: r.changes } : r.problem
}
const bodyProblem = (body: unknown): unknown => {
  const r = readGroupBody(body)
  return r.ok ? { unexpected: r.group } : r.problem
}

t.test('a Group body', async (t) => {
  t.strictSame(readGroupBody({ schemas: [GROUP_SCHEMA], displayName: 'Reps', externalId: 'g-ext', members: [{ value: 'u1', display: 'Jo' }, { value: 'u2' }, { value: 'u1' }] }),
    { ok: true, group: { displayName: 'Reps', externalId: 'g-ext', members: ['u1', 'u2'] } })
  t.strictSame(readGroupBody({ DISPLAYNAME: 'Reps', id: 'x', meta: {} }), { ok: true, group: { displayName: 'Reps', members: [] } }, 'names in any case, no members, server keys ignored')
  t.strictSame(readGroupBody({ displayName: 'Reps', externalId: '', members: null }), { ok: true, group: { displayName: 'Reps', members: [] } })
})

t.test('Group body errors', async (t) => {
  for (const body of [null, [], 'x']) t.match(bodyProblem(body), { status: 400, scimType: 'invalidSyntax' })
  t.match(bodyProblem({ schemas: [USER_SCHEMA], displayName: 'x' }), { status: 400, scimType: 'invalidSyntax', detail: /not a SCIM Group/ })
  for (const body of [{}, { displayName: '' }, { displayName: null }]) t.match(bodyProblem(body), { status: 400, scimType: 'invalidValue', detail: /displayName is required/ })
  t.match(bodyProblem({ displayName: 3 }), { status: 400, scimType: 'invalidValue', detail: /displayName must be a string/ })
  t.match(bodyProblem({ displayName: 'x'.repeat(2049) }), { status: 400, scimType: 'invalidValue' })
  t.match(bodyProblem({ displayName: 'x', externalId: 5 }), { status: 400, scimType: 'invalidValue', detail: /externalId/ })
  for (const members of ['u1', ['u1'], [{ value: 5 }], [{ display: 'x' }], [{ value: '' }], 3]) {
    t.match(bodyProblem({ displayName: 'x', members }), { status: 400, scimType: 'invalidValue', detail: /members/ }, JSON.stringify(members))
  }
})

t.test('adding members (Okta and Entra)', async (t) => {
  t.strictSame(changes(ops({ op: 'Add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] })), [{ kind: 'add', members: ['u1', 'u2'] }])
  t.strictSame(changes(ops({ op: 'add', path: 'members', value: [{ value: 'u1', display: 'Jo' }] })), [{ kind: 'add', members: ['u1'] }])
  t.strictSame(changes(ops({ op: 'ADD', path: 'Members', value: { value: 'u3' } })), [{ kind: 'add', members: ['u3'] }], 'a single object')
  t.strictSame(changes(ops({ op: 'add', value: { members: [{ value: 'u4' }] } })), [{ kind: 'add', members: ['u4'] }], 'path-less add')
  t.strictSame(changes(ops({ op: 'add', path: `${GROUP_SCHEMA}:members`, value: [{ value: 'u5' }] })), [{ kind: 'add', members: ['u5'] }], 'URN-prefixed')
})

t.test('removing members: Entra without the flag, with the flag, and all', async (t) => {
  t.strictSame(changes(ops({ op: 'Remove', path: 'members', value: [{ value: 'u1' }] })), [{ kind: 'remove', members: ['u1'] }])
  t.strictSame(changes(ops({ op: 'remove', path: 'members[value eq "u1"]' })), [{ kind: 'remove', members: ['u1'] }])
  t.strictSame(changes(ops({ op: 'remove', path: 'members[VALUE EQ "5b1f \\"x\\""]' })), [{ kind: 'remove', members: ['5b1f "x"'] }])
  t.strictSame(changes(ops({ op: 'remove', path: 'members' })), [{ kind: 'removeAll' }])
  t.strictSame(changes(ops({ op: 'remove', path: 'members', value: null })), [{ kind: 'removeAll' }])
  t.strictSame(changes(ops({ op: 'remove', path: 'members', value: [] })), [{ kind: 'remove', members: [] }], 'an empty list removes nobody')
})

t.test('replacing members, the name, the external id', async (t) => {
  t.strictSame(changes(ops({ op: 'replace', path: 'members', value: [{ value: 'u1' }] })), [{ kind: 'replaceMembers', members: ['u1'] }])
  t.strictSame(changes(ops({ op: 'replace', path: 'members', value: [] })), [{ kind: 'replaceMembers', members: [] }])
  t.strictSame(changes(ops({ op: 'replace', value: { members: [{ value: 'u2' }] } })), [{ kind: 'replaceMembers', members: ['u2'] }])
  t.strictSame(changes(ops({ op: 'replace', value: { displayName: 'x' } })), [{ kind: 'displayName', value: 'x' }])
  t.strictSame(changes(ops({ op: 'Replace', path: 'displayName', value: 'Reps West' })), [{ kind: 'displayName', value: 'Reps West' }])
  t.strictSame(changes(ops({ op: 'replace', path: 'externalId', value: 'e1' })), [{ kind: 'externalId', value: 'e1' }])
  t.strictSame(changes(ops({ op: 'remove', path: 'externalId' })), [{ kind: 'externalId', value: undefined }])
  t.strictSame(changes(ops({ op: 'replace', path: 'externalId', value: '' })), [{ kind: 'externalId', value: undefined }])
  t.strictSame(changes(ops({ op: 'Replace', value: { id: 'g1', schemas: [GROUP_SCHEMA], displayName: 'y', externalId: 'e' } })), [{ kind: 'displayName', value: 'y' }, { kind: 'externalId', value: 'e' }], 'echoed id and schemas are skipped')
})

t.test('several operations keep their order', async (t) => {
  t.strictSame(changes(ops(
    { op: 'Add', path: 'members', value: [{ value: 'u1' }] },
    { op: 'Remove', path: 'members', value: [{ value: 'u2' }] },
    { op: 'Replace', path: 'displayName', value: 'Z' },
    { op: 'remove', path: 'members' }
  )), [{ kind: 'add', members: ['u1'] }, { kind: 'remove', members: ['u2'] }, { kind: 'displayName', value: 'Z' }, { kind: 'removeAll' }])
})

t.test('errors', async (t) => {
  t.match(refused({ Operations: [{ op: 'add', path: 'members', value: [] }] }), { status: 400, scimType: 'invalidSyntax' })
  t.match(refused(ops()), { status: 400, scimType: 'invalidSyntax' })
  t.match(refused(ops({ op: 'merge', path: 'members', value: [] })), { status: 400, scimType: 'invalidSyntax' })
  t.match(refused(ops({ op: 'remove' })), { status: 400, scimType: 'noTarget' })
  t.match(refused(ops({ op: 'add', path: 'owners', value: [] })), { status: 400, scimType: 'invalidPath', detail: /owners/ })
  t.match(refused(ops({ op: 'replace', value: { owners: 'x' } })), { status: 400, scimType: 'invalidPath', detail: /owners/ })
  t.match(refused(ops({ op: 'replace', path: `${USER_SCHEMA}:displayName`, value: 'x' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(ops({ op: 'remove', path: 'members[display eq "Jo"]' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(ops({ op: 'remove', path: 'members[value co "u"]' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(ops({ op: 'remove', path: 'members[value eq "u1"].display' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(ops({ op: 'add', path: 'members[value eq "u1"]', value: {} })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(ops({ op: 'replace', path: 'displayName[value eq "x"]', value: 'x' })), { status: 400, scimType: 'invalidPath' })
  t.match(refused(ops({ op: 'replace', path: 'id', value: 'x' })), { status: 400, scimType: 'mutability' })
  t.match(refused(ops({ op: 'add', path: 'members', value: [{ value: 3 }] })), { status: 400, scimType: 'invalidValue' })
  t.match(refused(ops({ op: 'add', path: 'members', value: 'u1' })), { status: 400, scimType: 'invalidValue' })
  t.match(refused(ops({ op: 'remove', path: 'members', value: [{ display: 'x' }] })), { status: 400, scimType: 'invalidValue' })
  t.match(refused(ops({ op: 'replace', path: 'displayName', value: '' })), { status: 400, scimType: 'invalidValue' })
  t.match(refused(ops({ op: 'replace', path: 'displayName', value: 3 })), { status: 400, scimType: 'invalidValue' })
  t.match(refused(ops({ op: 'remove', path: 'displayName' })), { status: 400, scimType: 'invalidValue' })
  t.match(refused(ops({ op: 'replace', value: [{ displayName: 'x' }] })), { status: 400, scimType: 'invalidValue' })
})
