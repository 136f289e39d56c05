/**
 * The project's own test people: an Okta directory and the matching Enerflo users, built fresh for
 * every test so a test can change them freely.
 */
import type { SandboxUser } from '../../src/simulators/enerflo/sandbox.js'
import type { DirectoryGroup, DirectoryUser } from '../../src/simulators/okta/directory.js'

export const MAPPING = {
  identity: { okta: { enerfloUserIdAttribute: 'enerfloUserId', managerEmailAttribute: 'managerEmail' } },
  roles: [
    { group: 'Reps', roles: ['Sales Rep'] },
    { group: 'Setters', roles: ['Setter'] },
    { group: 'Regional', roles: ['Regional Manager'] }
  ],
  offices: [
    { group: 'Phoenix', officeId: 101 },
    { group: 'Denver', officeId: 102 }
  ]
}

export const GROUPS: DirectoryGroup[] = [
  { id: '00greps', name: 'Reps' },
  { id: '00gsetters', name: 'Setters' },
  { id: '00gregional', name: 'Regional' },
  { id: '00gphx', name: 'Phoenix' },
  { id: '00gden', name: 'Denver' },
  { id: '00gall', name: 'Everyone' }
]

export function oktaUsers (): DirectoryUser[] {
  return [
    { id: '00uboss', status: 'ACTIVE', groups: ['00gregional', '00gden', '00gphx'], profile: { login: 'boss@example.com', email: 'boss@example.com', firstName: 'Bo', lastName: 'Ss', mobilePhone: '+1 480 555 0100', enerfloUserId: '501' } },
    { id: '00urep', status: 'ACTIVE', groups: ['00greps', '00gphx', '00gall'], profile: { login: 'rep@example.com', email: 'rep@example.com', firstName: 'Rey', lastName: 'Pep', mobilePhone: '480-555-0101', managerEmail: 'boss@example.com', enerfloUserId: '502' } },
    { id: '00usetter', status: 'ACTIVE', groups: ['00gsetters', '00gden'], profile: { login: 'setter@example.com', email: 'setter@example.com', firstName: 'Set', lastName: 'Ter', enerfloUserId: '503' } },
    { id: '00unolink', status: 'ACTIVE', groups: ['00greps', '00gphx'], profile: { login: 'new@example.com', email: 'new@example.com', firstName: 'New', lastName: 'Hire' } }
  ]
}

/** The Enerflo side as it stands before any sync: some values stale, on purpose. */
export function enerfloUsers (): SandboxUser[] {
  return [
    { id: 501, first_name: 'Bo', last_name: 'Ss', email: 'boss@example.com', phone: '4805550100', active: true, roles: ['Regional Manager'], office_ids: [101, 102], surveys: 0, appointments: 0 },
    { id: 502, first_name: 'Old', last_name: 'Name', email: 'rep@example.com', active: true, roles: ['Sales Rep'], office_ids: [101], surveys: 0, appointments: 0 },
    { id: 503, first_name: 'Set', last_name: 'Ter', email: 'setter@example.com', active: true, roles: ['Setter'], office_ids: [102], surveys: 2, appointments: 0 },
    { id: 504, first_name: 'New', last_name: 'Hire', email: 'new@example.com', active: true, roles: ['Sales Rep'], office_ids: [101], surveys: 0, appointments: 0 }
  ]
}

/** n linked users, each in Reps and Phoenix, whose Enerflo side is stale (first name differs). */
export function manyUsers (n: number): { okta: DirectoryUser[], enerflo: SandboxUser[] } {
  const okta: DirectoryUser[] = []
  const enerflo: SandboxUser[] = []
  for (let i = 0; i < n; i++) {
    const id = 1000 + i
    okta.push({ id: `00um${i}`, status: 'ACTIVE', groups: ['00greps', '00gphx'], profile: { login: `u${i}@example.com`, email: `u${i}@example.com`, firstName: `First${i}`, lastName: 'Person', enerfloUserId: String(id) } })
    enerflo.push({ id, first_name: 'Stale', last_name: 'Person', email: `u${i}@example.com`, active: true, roles: ['Sales Rep'], office_ids: [101], surveys: 0, appointments: 0 })
  }
  return { okta, enerflo }
}
