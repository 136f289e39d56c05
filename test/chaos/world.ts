/**
 * The chaos run's people: Okta and Entra (Graph) users as the run models them, how each provider
 * holds them, and what Enerflo should hold for each, computed with the service's own mapping
 * functions. How they change is in changes.ts.
 */
import type { DirectoryGroup, DirectoryUser } from '../../src/simulators/okta/directory.js'
import type { LocalGroup, LocalUser } from '../helpers/local-graph/graph.js'
import type { SandboxUser } from '../../src/simulators/enerflo/sandbox.js'
import { mapOktaUser } from '../../src/mapping/okta.js'
import { mapGraphUser, type GraphUserData } from '../../src/mapping/graph.js'
import type { Mapping } from '../../src/mapping/mapping-file.js'
import type { EnerfloUserFields } from '../../src/mapping/types.js'
import type { Rng } from './rng.js'

export type Source = 'okta' | 'graph'

export const CHAOS_MAPPING = {
  identity: {
    okta: { enerfloUserIdAttribute: 'enerfloUserId', managerEmailAttribute: 'managerEmail' },
    graph: { enerfloUserIdAttribute: 'employeeId' }
  },
  roles: [
    { group: 'Reps', roles: ['Sales Rep'] },
    { group: 'Setters', roles: ['Setter'] },
    { group: 'Regional', roles: ['Regional Manager'] },
    { group: 'Project', roles: ['Project Manager'] }
  ],
  offices: [
    { group: 'Phoenix', officeId: 101 },
    { group: 'Denver', officeId: 102 },
    { group: 'Austin', officeId: 103 }
  ]
}

export const ROLE_GROUPS = ['Reps', 'Setters', 'Regional', 'Project']
export const OFFICE_GROUPS = ['Phoenix', 'Denver', 'Austin']
export const ALL_GROUPS = [...ROLE_GROUPS, ...OFFICE_GROUPS, 'Everyone']
export const OFFICES = [101, 102, 103]

export const OKTA_GROUPS: DirectoryGroup[] = ALL_GROUPS.map((name) => ({ id: `00g${name.toLowerCase()}`, name }))
export const graphGroupId = (name: string): string => `b0000000-0000-4000-8000-${String(ALL_GROUPS.indexOf(name) + 1).padStart(12, '0')}`
export const GRAPH_GROUPS: LocalGroup[] = ALL_GROUPS.map((name) => ({ id: graphGroupId(name), displayName: name }))

/** Managers live in Enerflo (every manager_email must be an Enerflo user's email) and never change. */
const OKTA_MANAGERS = ['mgr-o1@chaos.example.com', 'mgr-o2@chaos.example.com']
const GRAPH_MANAGERS = [
  { id: 'c0000000-0000-4000-8000-000000009001', mail: 'mgr-g1@chaos.example.com' },
  { id: 'c0000000-0000-4000-8000-000000009002', mail: 'mgr-g2@chaos.example.com' }
]

export interface Person {
  source: Source
  id: string
  enerfloId: number
  hot: boolean
  first: string
  last: string
  /** Okta's login never changes; the email does. */
  login: string
  email: string
  mobile: string | null
  /** Graph only: used when mobilePhone is empty. */
  business: string | null
  /** Okta status (ACTIVE, DEPROVISIONED, SUSPENDED); for Graph ACTIVE or DISABLED. */
  status: string
  manager: number
  /** Group names, in membership order. */
  groups: string[]
  version: number
}

export interface ChaosEvent {
  source: Source
  /** Okta uuid, or the Graph notification id. */
  id: string
  userId: string
  /** Okta event type; Graph notifications are all `updated`. */
  type: string
  groupId?: string
}

/** A North American number, in one of the shapes admins type. */
export function phone (rng: Rng): string {
  const area = rng.pick(['480', '602', '303', '512', '720'])
  const exchange = String(rng.int(200, 999))
  const line = String(rng.int(0, 9999)).padStart(4, '0')
  return rng.pick([`+1 ${area}-${exchange}-${line}`, `(${area}) ${exchange}-${line}`, `${area}${exchange}${line}`])
}

function startGroups (rng: Rng, i: number): string[] {
  const roles = [ROLE_GROUPS[i % ROLE_GROUPS.length] as string]
  if (rng.chance(0.3)) roles.push(rng.pick(ROLE_GROUPS.filter((g) => !roles.includes(g))))
  const offices = [OFFICE_GROUPS[i % OFFICE_GROUPS.length] as string]
  if (rng.chance(0.3)) offices.push(rng.pick(OFFICE_GROUPS.filter((g) => !offices.includes(g))))
  return [...roles, ...offices, ...(rng.chance(0.5) ? ['Everyone'] : [])]
}

export function createPeople (rng: Rng, perSource: number, hotPerSource: number): Person[] {
  const people: Person[] = []
  for (const source of ['okta', 'graph'] as const) {
    for (let i = 0; i < perSource; i++) {
      const tag = `${source === 'okta' ? 'o' : 'g'}${i}`
      people.push({
        source,
        id: source === 'okta' ? `00uchaos${String(i).padStart(6, '0')}` : `c0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        enerfloId: (source === 'okta' ? 20_000 : 30_000) + i,
        hot: i < hotPerSource,
        first: `First-${tag}`,
        last: `Last-${tag}`,
        login: `${tag}@chaos.example.com`,
        email: `${tag}@chaos.example.com`,
        mobile: phone(rng),
        business: null,
        status: 'ACTIVE',
        manager: i % 2,
        groups: startGroups(rng, i),
        version: 0
      })
    }
  }
  return people
}

export function oktaUserOf (p: Person): DirectoryUser {
  return {
    id: p.id,
    status: p.status,
    groups: p.groups.map((name) => `00g${name.toLowerCase()}`),
    profile: {
      login: p.login, email: p.email, firstName: p.first, lastName: p.last, mobilePhone: p.mobile,
      managerEmail: OKTA_MANAGERS[p.manager], enerfloUserId: String(p.enerfloId)
    }
  }
}

export function graphUserOf (p: Person): LocalUser {
  return {
    id: p.id,
    managerId: (GRAPH_MANAGERS[p.manager] as { id: string }).id,
    groups: p.groups.map(graphGroupId),
    props: {
      givenName: p.first, surname: p.last, mail: p.email, userPrincipalName: p.login, mobilePhone: p.mobile,
      businessPhones: p.business === null ? [] : [p.business], accountEnabled: p.status === 'ACTIVE', employeeId: String(p.enerfloId)
    }
  }
}

/** The Graph-side managers: users of their own, never linked, never changed. */
export function graphManagers (): LocalUser[] {
  return GRAPH_MANAGERS.map((m) => ({ id: m.id, groups: [], props: { mail: m.mail, userPrincipalName: m.mail, givenName: 'Manager', surname: 'Graph', accountEnabled: true } }))
}

/** What the service's mapping says Enerflo should hold for this person as the model has them. */
export function desiredOf (p: Person, mapping: Mapping): EnerfloUserFields {
  if (p.source === 'okta') {
    const u = oktaUserOf(p)
    const groups = p.groups.map((name) => ({ id: `00g${name.toLowerCase()}`, profile: { name } }))
    return mapOktaUser({ id: u.id, status: u.status, profile: u.profile }, groups, mapping).desired
  }
  const g = graphUserOf(p)
  const data: GraphUserData = { id: p.id, ...g.props }
  const manager = GRAPH_MANAGERS[p.manager] as { mail: string }
  return mapGraphUser(data, { mail: manager.mail, userPrincipalName: manager.mail }, p.groups, mapping).desired
}

/** Enerflo before the run: every linked user as its provider has it, plus the managers. */
export function enerfloSeed (people: Person[], mapping: Mapping): SandboxUser[] {
  const users: SandboxUser[] = people.map((p) => {
    const d = desiredOf(p, mapping)
    return { ...d, id: p.enerfloId, active: d.active ?? true, roles: d.roles ?? [], office_ids: d.office_ids ?? [], surveys: 0, appointments: 0 }
  })
  const managers = [...OKTA_MANAGERS, ...GRAPH_MANAGERS.map((m) => m.mail)]
  managers.forEach((email, i) => users.push({ id: 9001 + i, email, first_name: 'Manager', last_name: String(i), active: true, roles: ['Regional Manager'], office_ids: [101], surveys: 0, appointments: 0 }))
  return users
}
