import t from 'tap'
import { applyDiff, diffFields } from '../../src/mapping/diff.js'
import type { EnerfloUserFields } from '../../src/mapping/types.js'

const applied: EnerfloUserFields = {
  first_name: 'Sam', last_name: 'Patel', email: 'sam@example.com', phone: '6025550101', active: true,
  manager_email: 'jo@example.com', roles: ['Sales Rep', 'Setter'], office_ids: [101, 102]
}

t.test('unchanged → {}', async (t) => {
  t.same(diffFields({ ...applied, roles: ['Sales Rep', 'Setter'], office_ids: [101, 102] }, applied), {})
  t.same(diffFields({}, applied), {})
})

t.test('only the changed fields', async (t) => {
  t.same(diffFields({ ...applied, phone: '6025550199', active: false }, applied), { phone: '6025550199', active: false })
})

t.test('fields absent from desired are never in the diff', async (t) => {
  t.same(diffFields({ first_name: 'Sam' }, applied), {})
  const withUndefined = { first_name: 'Sam', last_name: undefined } as unknown as EnerfloUserFields
  t.same(diffFields(withUndefined, applied), {})
})

t.test('nothing applied yet: everything desired is a change', async (t) => {
  t.same(diffFields({ first_name: 'A', roles: ['Setter'] }, undefined), { first_name: 'A', roles: ['Setter'] })
  t.same(diffFields({ active: false }, {}), { active: false })
})

t.test('roles compare as a set; office_ids in order (the first is primary)', async (t) => {
  t.same(diffFields({ roles: ['Setter', 'Sales Rep'] }, applied), {})
  t.same(diffFields({ roles: ['Sales Rep'] }, applied), { roles: ['Sales Rep'] })
  t.same(diffFields({ roles: ['Sales Rep', 'Project Manager'] }, applied), { roles: ['Sales Rep', 'Project Manager'] })
  t.same(diffFields({ office_ids: [102, 101] }, applied), { office_ids: [102, 101] })
  t.same(diffFields({ office_ids: [101] }, applied), { office_ids: [101] })
  t.same(diffFields({ roles: [] }, { roles: [] }), {})
})

t.test('applyDiff gives the new applied state without sharing arrays', async (t) => {
  const changes = diffFields({ roles: ['Regional Manager'], office_ids: [102, 101], phone: '7205550103' }, applied)
  const next = applyDiff(applied, changes)
  t.same(next, { ...applied, roles: ['Regional Manager'], office_ids: [102, 101], phone: '7205550103' })
  changes.roles?.push('Setter')
  t.same(next.roles, ['Regional Manager'])
  t.same(applyDiff(undefined, { active: false }), { active: false })
  t.same(diffFields(next, next), {})
})
