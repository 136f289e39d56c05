import t from 'tap'
import { graphSelect, mapGraphUser, type GraphUserData } from '../../src/mapping/graph.js'
import { mapOktaUser } from '../../src/mapping/okta.js'
import { createOktaSource } from '../../src/sync/okta-source.js'
import { createGraphSource } from '../../src/sync/graph-source.js'
import { createOktaClient } from '../../src/okta/client.js'
import { createOktaDirectory } from '../../src/simulators/okta/directory.js'
import { createGraphClient } from '../../src/graph/client.js'
import { createLocalGraph } from '../helpers/local-graph/graph.js'
import { mappingOf, secret } from '../helpers/harness.js'
import { GRAPH_MAPPING } from '../helpers/graph-harness.js'
import { randomUUID } from 'node:crypto'

const mapping = mappingOf(GRAPH_MAPPING)
const user = (props: Record<string, unknown>): GraphUserData => ({ id: 'u1', accountEnabled: true, ...props })
const notesFor = (r: { notes: Array<{ field: string, reason: string }> }, field: string) => r.notes.filter((x) => x.field === field).map((x) => x.reason)

t.test('one person maps to the same Enerflo payload from Okta and from Graph', async (t) => {
  const okta = mapOktaUser({
    id: '00usam', status: 'ACTIVE',
    profile: { login: 'sam.patel@example.com', email: 'Sam.Patel@Example.com', firstName: 'Sam', lastName: 'Patel', mobilePhone: '+1 (602) 555-0199', managerEmail: 'Jo.Rivera@example.com', enerfloUserId: '1002' }
  }, [{ id: 'g1', profile: { name: 'Reps' } }, { id: 'g2', profile: { name: 'Phoenix' } }, { id: 'g3', profile: { name: 'Denver' } }], mapping)
  const graph = mapGraphUser(user({
    givenName: 'Sam', surname: 'Patel', mail: 'sam.patel@example.com', userPrincipalName: 'spatel@contoso.onmicrosoft.com',
    mobilePhone: '602.555.0199', businessPhones: [], employeeId: '1002'
  }), { mail: 'jo.rivera@example.com', userPrincipalName: 'jrivera@contoso.onmicrosoft.com' }, ['Denver', 'Everyone', 'Phoenix', 'Reps'], mapping)
  t.same(graph.desired, okta.desired)
  t.same(graph.desired, { first_name: 'Sam', last_name: 'Patel', email: 'sam.patel@example.com', phone: '6025550199', manager_email: 'jo.rivera@example.com', active: true, roles: ['Sales Rep'], office_ids: [101] })
  t.equal(graph.enerfloUserId, okta.enerfloUserId)
  t.same(notesFor(graph, 'office_ids'), notesFor(okta, 'office_ids'), 'the same note about the extra office')
})

t.test('the same person through both clients and their local servers gives the same desired state', async (t) => {
  const token = secret()
  const directory = createOktaDirectory({ token, users: [{ id: '00usam', status: 'ACTIVE', groups: ['r', 'p'], profile: { login: 'sam@example.com', email: 'sam@example.com', firstName: 'Sam', lastName: 'Patel', primaryPhone: '602-555-0199', enerfloUserId: '1002', managerEmail: 'boss@example.com' } }, { id: '00uboss', status: 'ACTIVE', groups: [], profile: { login: 'boss@example.com' } }], groups: [{ id: 'r', name: 'Reps' }, { id: 'p', name: 'Phoenix' }] })
  const creds = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: secret() }
  const graph = createLocalGraph({ ...creds, users: [{ id: 'sam', managerId: 'boss', groups: ['r', 'p'], props: { userPrincipalName: 'sam@example.com', givenName: 'Sam', surname: 'Patel', businessPhones: ['602-555-0199'], employeeId: '1002', accountEnabled: true } }, { id: 'boss', groups: [], props: { userPrincipalName: 'Boss@Example.com', mail: null } }], groups: [{ id: 'r', displayName: 'Reps' }, { id: 'p', displayName: 'Phoenix' }] })
  const [oUrl, gUrl] = [await directory.listen(0), await graph.listen(0)]
  const oktaClient = createOktaClient({ baseUrl: oUrl, token })
  const graphClient = createGraphClient({ baseUrl: gUrl, credentials: { ...creds, loginUrl: gUrl } })
  t.teardown(async () => { await oktaClient.close(); await graphClient.close(); await directory.close(); await graph.close() })
  const fromOkta = await createOktaSource(oktaClient, mapping).fetchDesired('00usam')
  const fromGraph = await createGraphSource(graphClient, mapping).fetchDesired('sam')
  t.same(fromGraph.result.desired, fromOkta.result.desired)
  t.equal(fromGraph.result.desired.manager_email, 'boss@example.com', 'manager without mail: its userPrincipalName')
  t.equal(fromGraph.result.enerfloUserId, 1002)
})

t.test('values Graph does not have are left out; mail falls back to userPrincipalName', async (t) => {
  const r = mapGraphUser(user({ givenName: null, surname: ' ', mail: null, userPrincipalName: 'Alex@Example.com', mobilePhone: null, businessPhones: [] }), null, [], mapping)
  t.same(r.desired, { email: 'alex@example.com', active: true })
  t.notOk('manager_email' in r.desired, 'no manager, no manager_email')
})

t.test('phone: mobile first, then the first business phone, with notes that hide the number', async (t) => {
  t.equal(mapGraphUser(user({ businessPhones: ['720.555.0103', '720.555.0104'] }), null, [], mapping).desired.phone, '7205550103')
  const r = mapGraphUser(user({ mobilePhone: '+44 20 7946 0958', businessPhones: ['720.555.0103'] }), null, [], mapping)
  t.equal(r.desired.phone, '7205550103')
  t.match(notesFor(r, 'phone'), [/mobilePhone: not a North American number.*used the next/])
  t.notMatch(JSON.stringify(r.notes), '7946')
})

t.test('accountEnabled: false deactivates; missing leaves active alone', async (t) => {
  t.equal(mapGraphUser(user({ accountEnabled: false }), null, [], mapping).desired.active, false)
  const r = mapGraphUser({ id: 'u1' }, null, [], mapping)
  t.notOk('active' in r.desired)
  t.match(notesFor(r, 'active'), [/accountEnabled not returned/])
})

t.test('deleted user → active false only', async (t) => {
  t.same(mapGraphUser(null, null, [], mapping).desired, { active: false })
})

t.test('identity attribute: employeeId or an extension attribute, selected for Graph', async (t) => {
  t.same(graphSelect(mapping).includes('employeeId'), true)
  const ext = mappingOf({ ...GRAPH_MAPPING, identity: { graph: { enerfloUserIdAttribute: 'onPremisesExtensionAttributes.extensionAttribute3' } } })
  t.ok(graphSelect(ext).includes('onPremisesExtensionAttributes'))
  t.equal(mapGraphUser(user({ onPremisesExtensionAttributes: { extensionAttribute3: ' 77 ' } }), null, [], ext).enerfloUserId, 77)
  const bad = mapGraphUser(user({ employeeId: 'E-77' }), null, [], mapping)
  t.equal(bad.enerfloUserId, undefined)
  t.match(notesFor(bad, 'id'), [/employeeId: not a string of digits/])
  t.same(graphSelect(mappingOf({ ...GRAPH_MAPPING, identity: {} })), graphSelect(mappingOf({ ...GRAPH_MAPPING, identity: { graph: { enerfloUserIdAttribute: 'mail' } } })))
})
