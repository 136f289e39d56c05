/**
 * `attributes` and `excludedAttributes` on rendered resources: Entra's groups without members,
 * sub-attributes, URN prefixes, any case, and `id`/`schemas` always kept.
 */
import t from 'tap'
import { project } from '../../src/scim/project.js'
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../src/scim/schema.js'

const group = (): Record<string, unknown> => ({ schemas: [GROUP_SCHEMA], id: 'g1', displayName: 'Reps', members: [{ value: 'u1' }], meta: { resourceType: 'Group' } })
const user = (): Record<string, unknown> => ({
  schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
  id: 'u1',
  userName: 'jo@example.com',
  name: { givenName: 'Jo', familyName: 'Doe' },
  emails: [{ value: 'jo@example.com', type: 'work', primary: true }, { value: 'jo@home.net' }],
  [ENTERPRISE_SCHEMA]: { department: 'Sales', manager: { value: 'm1' } },
  meta: { resourceType: 'User' }
})

t.test('excludedAttributes=members for groups (Entra)', async (t) => {
  const g = group()
  t.strictSame(project(g, undefined, 'members'), { schemas: [GROUP_SCHEMA], id: 'g1', displayName: 'Reps', meta: { resourceType: 'Group' } })
  t.strictSame(project(g, undefined, ' Members , meta'), { schemas: [GROUP_SCHEMA], id: 'g1', displayName: 'Reps' })
  t.strictSame(g, group(), 'the input is not mutated')
})

t.test('nothing asked: the resource as it is, as a copy', async (t) => {
  const u = user()
  const out = project(u)
  t.strictSame(out, user())
  t.not(out, u)
  t.strictSame(project(u, '', ''), user())
})

t.test('attributes: only those, plus id and schemas', async (t) => {
  t.strictSame(project(user(), 'userName'), { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], id: 'u1', userName: 'jo@example.com' })
  t.strictSame(project(group(), 'displayName'), { schemas: [GROUP_SCHEMA], id: 'g1', displayName: 'Reps' })
  t.strictSame(project(user(), 'USERNAME,name.givenName'), { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], id: 'u1', userName: 'jo@example.com', name: { givenName: 'Jo' } })
  t.strictSame(project(user(), 'emails.value'), { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], id: 'u1', emails: [{ value: 'jo@example.com' }, { value: 'jo@home.net' }] })
  t.strictSame(project(user(), 'emails.type,emails.value')['emails'], [{ type: 'work', value: 'jo@example.com' }, { value: 'jo@home.net' }], 'sub-attributes of one list merge by position')
  t.strictSame(project(user(), 'emails.type')['emails'], [{ type: 'work' }])
  t.strictSame(project(user(), `${USER_SCHEMA}:name`)['name'], { givenName: 'Jo', familyName: 'Doe' })
  t.strictSame(project(user(), `${ENTERPRISE_SCHEMA}:department`)[ENTERPRISE_SCHEMA], { department: 'Sales' })
  t.strictSame(project(user(), `${ENTERPRISE_SCHEMA}:manager.value,${ENTERPRISE_SCHEMA}:department`)[ENTERPRISE_SCHEMA], { manager: { value: 'm1' }, department: 'Sales' })
  t.strictSame(project(user(), ENTERPRISE_SCHEMA)[ENTERPRISE_SCHEMA], { department: 'Sales', manager: { value: 'm1' } })
  t.strictSame(project(user(), 'nothing'), { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], id: 'u1' })
  t.strictSame(project(user(), 'id'), { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], id: 'u1' })
})

t.test('attributes wins over excludedAttributes', async (t) => {
  t.strictSame(project(group(), 'displayName', 'displayName'), { schemas: [GROUP_SCHEMA], id: 'g1', displayName: 'Reps' })
})

t.test('excludedAttributes: sub-attributes, the extension, id and schemas kept', async (t) => {
  const a = project(user(), undefined, 'name.familyName,emails.primary,id,schemas')
  t.strictSame(a['name'], { givenName: 'Jo' })
  t.strictSame(a['emails'], [{ value: 'jo@example.com', type: 'work' }, { value: 'jo@home.net' }])
  t.equal(a['id'], 'u1')
  t.ok('schemas' in a)
  t.strictSame(project(user(), undefined, `${ENTERPRISE_SCHEMA}:manager`)[ENTERPRISE_SCHEMA], { department: 'Sales' })
  t.notOk(ENTERPRISE_SCHEMA in project(user(), undefined, ENTERPRISE_SCHEMA.toLowerCase()))
  t.notOk('name' in project(user(), undefined, 'name.givenName,name.familyName'), 'an emptied object goes')
  t.strictSame(project(user(), undefined, 'nothing,,a.b.c.d'), user(), 'unknown and malformed names change nothing')
})
