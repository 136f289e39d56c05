/**
 * The mapping.json the project ships: it must never take an Enerflo user id from an attribute that
 * in many tenants holds something else (Entra's employeeId is often the HR number), because a
 * number that happens to be a valid Enerflo id would update the wrong person.
 */
import t from 'tap'
import { join } from 'node:path'
import { loadMappingFile } from '../../src/mapping/mapping-file.js'
import { mapGraphUser } from '../../src/mapping/graph.js'

t.test('the shipped mapping.json names no Graph identity attribute: Entra users resolve by link', async (t) => {
  const mapping = await loadMappingFile(join(import.meta.dirname, '../../mapping.json'))
  t.equal(mapping.identity.graph?.enerfloUserIdAttribute, undefined, 'no identity attribute for graph')
  // An HR number in employeeId that is also a valid Enerflo id: with the shipped file it is ignored.
  const user = { id: '6f1a0c2e-0000-4000-8000-000000000999', givenName: 'Pat', surname: 'Lee', accountEnabled: true, employeeId: '1004' }
  const result = mapGraphUser(user, null, [], mapping)
  t.equal(result.enerfloUserId, undefined, 'employeeId never becomes an Enerflo user id')
  t.match(result.desired, { first_name: 'Pat', last_name: 'Lee', active: true }, 'the rest still maps')
})
