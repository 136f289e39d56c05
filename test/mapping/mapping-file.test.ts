import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadMappingFile, parseMapping } from '../../src/mapping/mapping-file.js'
import { DEFAULT_ROLE_NAMES } from '../../src/mapping/roles.js'
import { SyncError } from '../../src/errors.js'

const valid = () => ({
  identity: { okta: { enerfloUserIdAttribute: 'enerfloUserId', managerEmailAttribute: 'managerEmail' }, graph: { enerfloUserIdAttribute: 'employeeId' } },
  roles: [{ group: 'Reps', roles: ['Sales Rep'] }, { group: 'RMs', roles: ['Regional Manager', 'Sales Rep Manager'] }],
  offices: [{ group: 'Office A', officeId: 101 }, { group: 'Office B', officeId: 2147483647 }]
})

t.test('the default role names are the ones in Enerflo docs', async (t) => {
  t.same(DEFAULT_ROLE_NAMES, ['Super Admin', 'Company Admin', 'Office Admin', 'Regional Manager', 'Sales Rep Manager', 'Sales Rep', 'Setter', 'Project Manager'])
})

t.test('a valid file parses, and the repo default mapping.json is valid', async (t) => {
  const r = parseMapping(valid())
  t.ok(r.ok)
  if (r.ok) t.equal(r.mapping.offices[0]?.officeId, 101)
  const m = await loadMappingFile(join(import.meta.dirname, '../../mapping.json'))
  t.ok(m.roles.length > 0)
})

t.test('identity providers and knownRoles are optional; knownRoles replaces the defaults', async (t) => {
  t.ok(parseMapping({ identity: {}, roles: [], offices: [] }).ok)
  const custom = { identity: {}, roles: [{ group: 'C', roles: ['Closer'] }], offices: [], knownRoles: ['Closer'] }
  t.ok(parseMapping(custom).ok)
  const r = parseMapping({ ...custom, roles: [{ group: 'C', roles: ['Sales Rep'] }] })
  t.notOk(r.ok)
  if (!r.ok) t.match(r.problems[0], /unknown Role Name "Sales Rep".*"Closer"/)
})

t.test('every problem is listed, not only the first', async (t) => {
  const file = {
    identity: { okta: { managerEmailAtribute: 'x' } },
    roles: [
      { group: 'Reps', roles: ['sales_rep', 'Sales Rep'] },
      { group: 'RMs', roles: ['regional-manager'] },
      { group: 'Reps', roles: ['Setter'] },
      { group: 'Bosses', roles: ['Boss'] },
      { group: 'Lower', roles: ['sales rep'] }
    ],
    offices: [
      { group: 'Office A', officeId: 0 },
      { group: 'Office A', officeId: 1.5 },
      { group: 'Office C', officeId: 2147483648 },
      { group: 'Office D', officeId: '104' }
    ]
  }
  const r = parseMapping(file)
  t.notOk(r.ok)
  if (r.ok) return
  const all = r.problems.join('\n')
  t.match(all, '/identity/okta/managerEmailAtribute: Unexpected property')
  t.match(all, '/roles/0/roles/0: unknown Role Name "sales_rep": use the Role Name "Sales Rep", not the slug')
  t.match(all, '/roles/1/roles/0: unknown Role Name "regional-manager": use the Role Name "Regional Manager", not the slug')
  t.match(all, /\/roles\/3\/roles\/0: unknown Role Name "Boss" \(known Role Names: "Super Admin".*"Project Manager"/)
  t.match(all, '/roles/4/roles/0: unknown Role Name "sales rep": Role Names are exact: use "Sales Rep"')
  t.match(all, '/roles/2/group: group "Reps" is already mapped at /roles/0')
  t.match(all, '/offices/1/group: group "Office A" is already mapped at /offices/0')
  t.match(all, '/offices/0/officeId: 0 is not an Enerflo office id')
  t.match(all, '/offices/1/officeId: 1.5 is not an Enerflo office id')
  t.match(all, '/offices/2/officeId: 2147483648 is not an Enerflo office id')
  t.match(all, '/offices/3/officeId: Expected number')
  t.notMatch(all, '/roles/0/roles/1', 'a known role is no problem')
  t.equal(r.problems.length, 11)
})

t.test('a group may map to roles and to an office at once', async (t) => {
  const r = parseMapping({ identity: {}, roles: [{ group: 'X', roles: ['Setter'] }], offices: [{ group: 'X', officeId: 1 }] })
  t.ok(r.ok)
})

t.test('missing sections and wrong types', async (t) => {
  const r = parseMapping({ roles: 'none' })
  t.notOk(r.ok)
  if (!r.ok) t.same(r.problems, ['/identity: required but missing', '/offices: required but missing', '/roles: Expected array'])
  const n = parseMapping(null)
  t.notOk(n.ok)
  if (!n.ok) t.same(n.problems, ['(top level): Expected object'])
  const e = parseMapping({ identity: {}, roles: [{ group: '', roles: [] }, 7], offices: [] })
  t.notOk(e.ok)
  if (!e.ok) t.equal(e.problems.length, 3)
})

t.test('loadMappingFile throws one MAPPING_INVALID listing every problem, one per line', async (t) => {
  const dir = t.testdir({
    'bad.json': JSON.stringify({ identity: {}, roles: [{ group: 'R', roles: ['sales_rep'] }], offices: [{ group: 'O', officeId: -1 }, { group: 'O', officeId: 2 }] }),
    'broken.json': '{ "roles": [',
    'good.json': JSON.stringify(valid())
  })
  const bad = join(dir, 'bad.json')
  const err = await loadMappingFile(bad).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof SyncError)
  if (!(err instanceof SyncError)) return
  t.equal(err.code, 'MAPPING_INVALID')
  const lines = err.message.split('\n')
  t.match(lines[0], `mapping file ${bad} is invalid`)
  t.equal(lines.length, 4, 'a heading and one line per problem')
  t.match(lines[1], /^ {2}- \/roles\/0\/roles\/0: .*not the slug/)

  const broken = join(dir, 'broken.json')
  await t.rejects(loadMappingFile(broken), { code: 'MAPPING_INVALID', message: new RegExp(`${broken}.*\\n.*not valid JSON`) })
  await t.rejects(loadMappingFile(join(dir, 'missing.json')), { code: 'MAPPING_INVALID', message: /cannot read the file/ })
  t.same((await loadMappingFile(join(dir, 'good.json'))).roles[0], { group: 'Reps', roles: ['Sales Rep'] })
  await writeFile(join(dir, 'good.json'), '[]')
  await t.rejects(loadMappingFile(join(dir, 'good.json')), { message: /\(top level\): Expected object/ })
})

t.test('roleSlugs overrides the slug table; its names become known Role Names; bad entries are named', async (t) => {
  const custom = { identity: {}, roles: [{ group: 'C', roles: ['Closer'] }], offices: [], roleSlugs: { closer: 'Closer', manager: 'Team Lead' } }
  const ok = parseMapping(custom)
  t.ok(ok.ok, 'a name given a slug may be used in roles')
  if (ok.ok) t.same(ok.mapping.roleSlugs, { closer: 'Closer', manager: 'Team Lead' })
  t.notOk(parseMapping({ ...custom, roleSlugs: undefined }).ok, 'without the slug entry "Closer" is unknown')

  const bad = parseMapping({ identity: {}, roles: [], offices: [], roleSlugs: { 'Sales Rep': 'Sales Rep', closer: 'Setter', empty: '', n: 5 } })
  t.notOk(bad.ok)
  if (bad.ok) return
  const all = bad.problems.join('\n')
  t.match(all, '/roleSlugs/Sales Rep: "Sales Rep" is not a Role slug')
  t.match(all, '/roleSlugs/closer: the Role Name "Setter" is also the name of slug "setter"')
  t.match(all, /\/roleSlugs\/empty: .*/)
  t.match(all, /\/roleSlugs\/n: .*/)
  t.equal(bad.problems.length, 4)
})
