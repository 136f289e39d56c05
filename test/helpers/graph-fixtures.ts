/**
 * The project's test people as Entra ID has them: the same four people as the Okta fixtures
 * (test/helpers/fixtures.ts), linked to the same Enerflo users through employeeId.
 */
import type { LocalGroup, LocalUser } from './local-graph/graph.js'

export const G = {
  boss: '6f1a0c2e-0000-4000-8000-000000000501',
  rep: '6f1a0c2e-0000-4000-8000-000000000502',
  setter: '6f1a0c2e-0000-4000-8000-000000000503',
  nolink: '6f1a0c2e-0000-4000-8000-000000000504'
}

// "Phoenix Reps" is nested in Reps and Phoenix: membership through it is transitive.
export const GRAPH_GROUPS: LocalGroup[] = [
  { id: 'a0000000-0000-4000-8000-000000000001', displayName: 'Reps' },
  { id: 'a0000000-0000-4000-8000-000000000002', displayName: 'Setters' },
  { id: 'a0000000-0000-4000-8000-000000000003', displayName: 'Regional' },
  { id: 'a0000000-0000-4000-8000-000000000004', displayName: 'Phoenix' },
  { id: 'a0000000-0000-4000-8000-000000000005', displayName: 'Denver' },
  { id: 'a0000000-0000-4000-8000-000000000006', displayName: 'Everyone' },
  { id: 'a0000000-0000-4000-8000-000000000007', displayName: 'Phoenix Reps', memberOf: ['a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000004'] }
]
export const GROUP = Object.fromEntries(GRAPH_GROUPS.map((g) => [g.displayName, g.id])) as Record<string, string>

export function graphUsers (): LocalUser[] {
  return [
    { id: G.boss, groups: [GROUP['Regional'] as string, GROUP['Denver'] as string, GROUP['Phoenix'] as string], props: { userPrincipalName: 'boss@example.com', mail: 'boss@example.com', givenName: 'Bo', surname: 'Ss', mobilePhone: '+1 480 555 0100', accountEnabled: true, employeeId: '501' } },
    { id: G.rep, managerId: G.boss, groups: [GROUP['Phoenix Reps'] as string, GROUP['Everyone'] as string], props: { userPrincipalName: 'rep@example.com', mail: 'rep@example.com', givenName: 'Rey', surname: 'Pep', businessPhones: ['480-555-0101'], accountEnabled: true, employeeId: '502' } },
    { id: G.setter, groups: [GROUP['Setters'] as string, GROUP['Denver'] as string], props: { userPrincipalName: 'setter@example.com', mail: 'setter@example.com', givenName: 'Set', surname: 'Ter', accountEnabled: true, employeeId: '503' } },
    { id: G.nolink, groups: [GROUP['Reps'] as string, GROUP['Phoenix'] as string], props: { userPrincipalName: 'new@example.com', mail: 'new@example.com', givenName: 'New', surname: 'Hire', accountEnabled: true } }
  ]
}
