/**
 * People for the personal-data test: the fixture people, but with addresses and phone numbers
 * generated per run (so a match in a log can only have come from them), in the formats providers
 * hold them, on both Okta and Graph.
 */
import { randomBytes, randomInt } from 'node:crypto'
import type { DirectoryUser } from '../../src/simulators/okta/directory.js'
import type { LocalUser } from '../helpers/local-graph/graph.js'
import type { SandboxUser } from '../../src/simulators/enerflo/sandbox.js'
import { G, GROUP } from '../helpers/graph-fixtures.js'

export interface Person { key: string, oktaId: string, graphId: string, first: string, last: string, email: string, phone: string, phoneAs: string, enerfloId?: number }

export interface People {
  all: Person[]
  okta: DirectoryUser[]
  graph: LocalUser[]
  enerflo: SandboxUser[]
  /** Every form of every address and number that must never reach a log line. */
  emails: string[]
  phones: Array<{ digits: string, forms: string[] }>
}

const digits = (n: number): string => Array.from({ length: n }, () => String(randomInt(10))).join('')

function phone (): string {
  return `${randomInt(2, 10)}${digits(2)}${randomInt(2, 10)}${digits(2)}${digits(4)}`
}

const group = (name: string): string => GROUP[name] ?? name

export function makePeople (): People {
  const tag = randomBytes(4).toString('hex')
  const mk = (key: string, oktaId: string, graphId: string, first: string, last: string, format: (d: string) => string, enerfloId?: number): Person => {
    const p = phone()
    return { key, oktaId, graphId, first: `${first}${tag.slice(0, 3)}`, last, email: `${key}.${tag}@Pii-Corp.example`, phone: p, phoneAs: format(p), ...(enerfloId !== undefined && { enerfloId }) }
  }
  const boss = mk('boss', '00uboss', G.boss, 'Bo', 'Ss', (d) => `+1 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`, 501)
  const rep = mk('rep', '00urep', G.rep, 'Rey', 'Pep', (d) => `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`, 502)
  const setter = mk('setter', '00usetter', G.setter, 'Set', 'Ter', (d) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`, 503)
  const nolink = mk('nolink', '00unolink', G.nolink, 'New', 'Hire', (d) => `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`)
  const all = [boss, rep, setter, nolink]
  const groupsOf: Record<string, string[]> = { boss: ['Regional', 'Denver', 'Phoenix'], rep: ['Reps', 'Phoenix'], setter: ['Setters', 'Denver'], nolink: ['Reps', 'Phoenix'] }
  const oktaGroupId: Record<string, string> = { Regional: '00gregional', Denver: '00gden', Phoenix: '00gphx', Reps: '00greps', Setters: '00gsetters' }
  const okta: DirectoryUser[] = all.map((p) => ({
    id: p.oktaId, status: 'ACTIVE', groups: (groupsOf[p.key] ?? []).map((g) => oktaGroupId[g] ?? g),
    profile: {
      login: p.email, email: p.email, firstName: p.first, lastName: p.last,
      [p.key === 'setter' ? 'primaryPhone' : 'mobilePhone']: p.phoneAs,
      ...(p.key === 'rep' && { managerEmail: boss.email }),
      ...(p.enerfloId !== undefined && { enerfloUserId: String(p.enerfloId) })
    }
  }))
  const graph: LocalUser[] = all.map((p) => ({
    id: p.graphId, groups: (groupsOf[p.key] ?? []).map(group), ...(p.key === 'rep' && { managerId: boss.graphId }),
    props: {
      userPrincipalName: p.email, mail: p.email, givenName: p.first, surname: p.last, accountEnabled: true,
      ...(p.key === 'rep' ? { businessPhones: [p.phoneAs] } : { mobilePhone: p.phoneAs }),
      ...(p.enerfloId !== undefined && { employeeId: String(p.enerfloId) })
    }
  }))
  // Enerflo starts stale (other addresses but the manager's, no phones), so the first sync sends
  // the personal data, and the rep's manager_email names an Enerflo user.
  const enerflo: SandboxUser[] = [501, 502, 503, 504].map((id) => ({
    id, first_name: 'Old', last_name: 'Name', email: id === 501 ? boss.email.toLowerCase() : `old-${id}.${tag}@enerflo.example`, active: true,
    roles: id === 501 ? ['Regional Manager'] : id === 503 ? ['Setter'] : ['Sales Rep'], office_ids: [id === 503 ? 102 : 101], surveys: 0, appointments: 0
  }))
  const phones = all.map((p) => {
    const d = p.phone
    return { digits: d, forms: [p.phoneAs, d, `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`, `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`, `+1${d}`, `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`] }
  })
  const emails = all.flatMap((p) => [p.email, p.email.toLowerCase(), p.email.split('@')[0] ?? p.email])
  return { all, okta, graph, enerflo, emails, phones }
}
