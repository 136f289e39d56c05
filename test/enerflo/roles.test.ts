import t from 'tap'
import { DEFAULT_ROLE_SLUGS, ENERFLO_KEPT_ROLES, keptRoleNames, nameToSlug, roleSlugTable, rolesFromEnerflo, slugToName } from '../../src/enerflo/roles.js'
import { DEFAULT_ROLE_NAMES } from '../../src/mapping/roles.js'

t.test('the verified pairs of DESIGN.md §4', async (t) => {
  const pairs = [['agent', 'Sales Rep'], ['setter', 'Setter'], ['manager', 'Sales Rep Manager'], ['regionalmanager', 'Regional Manager'], ['company', 'Company Admin']]
  for (const [slug, name] of pairs) {
    t.equal(slugToName(slug ?? ''), name, `${slug} → ${name}`)
    t.equal(nameToSlug(name ?? ''), slug, `${name} → ${slug}`)
  }
  t.equal(slugToName(' Agent '), 'Sales Rep', 'a slug is trimmed and case-folded')
  t.equal(nameToSlug('sales rep'), undefined, 'Role Names are exact')
  t.equal(slugToName('closer'), undefined)
  t.equal(slugToName('constructor'), undefined, 'no inherited keys')
})

t.test('every slug seen has a name, and every default Role Name a slug', async (t) => {
  const seen = ['supercompany', 'officeadmin', 'projectmanager', 'callcenter', 'callcentermanager', 'dealapproval', 'ops', 'scheduler',
    'sitesurveyor', 'solardesigns', 'solarinstaller', 'subcontractor', 'surveyor']
  for (const slug of seen) t.type(slugToName(slug), 'string', slug)
  for (const name of DEFAULT_ROLE_NAMES) t.type(nameToSlug(name), 'string', name)
  t.equal(new Set(Object.values(DEFAULT_ROLE_SLUGS)).size, Object.keys(DEFAULT_ROLE_SLUGS).length, 'no name shared by two slugs')
})

t.test('kept roles', async (t) => {
  t.same(ENERFLO_KEPT_ROLES, ['supercompany', 'company'])
  t.same(keptRoleNames(), ['Super Admin', 'Company Admin'])
  t.same(keptRoleNames(roleSlugTable({ company: 'Owner' })), ['Super Admin', 'Owner'])
})

t.test('rolesFromEnerflo reads an array or a comma-separated string; unknown slugs are kept and reported', async (t) => {
  t.same(rolesFromEnerflo(['agent', 'setter']), { roles: ['Sales Rep', 'Setter'], unknown: [] })
  t.same(rolesFromEnerflo('agent,regionalmanager'), { roles: ['Sales Rep', 'Regional Manager'], unknown: [] })
  t.same(rolesFromEnerflo(' agent , closer,,agent,closer'), { roles: ['Sales Rep', 'closer'], unknown: ['closer'] })
  t.same(rolesFromEnerflo(''), { roles: [], unknown: [] })
  t.same(rolesFromEnerflo([]), { roles: [], unknown: [] })
})

t.test('a table with overrides', async (t) => {
  const table = roleSlugTable({ manager: 'Team Lead', closer: 'Closer' })
  t.equal(slugToName('manager', table), 'Team Lead')
  t.equal(slugToName('agent', table), 'Sales Rep', 'the other defaults stay')
  t.equal(nameToSlug('Closer', table), 'closer')
  t.same(rolesFromEnerflo('closer,manager', table), { roles: ['Closer', 'Team Lead'], unknown: [] })
  t.equal(slugToName('manager'), 'Sales Rep Manager', 'the defaults are untouched')
})
