import t from 'tap'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { createOktaClient } from '../../../src/okta/client.js'
import { createOktaDirectory, loadDirectorySeed } from '../../../src/simulators/okta/directory.js'
import { loadMappingFile } from '../../../src/mapping/mapping-file.js'
import { mapOktaUser } from '../../../src/mapping/okta.js'

// The demo directory and the default mapping file together, through the real client: what
// `npm start` in sandbox mode will compute for the seeded users.
t.test('the sandbox directory maps through the default mapping file', async (t) => {
  const root = join(import.meta.dirname, '../../..')
  const seed = await loadDirectorySeed(join(root, 'sandbox/okta-directory.json'))
  const mapping = await loadMappingFile(join(root, 'mapping.json'))
  const token = randomBytes(16).toString('hex')
  const directory = createOktaDirectory({ token, ...seed, pageSize: 2 })
  const okta = createOktaClient({ baseUrl: await directory.listen(), token })
  t.teardown(async () => { await okta.close(); await directory.close() })

  const sync = async (id: string) => {
    const user = await okta.getUser(id)
    return mapOktaUser(user, user === null ? [] : await okta.listUserGroups(id), mapping)
  }

  const jordan = await sync('00ujordanrivera00001')
  t.same(jordan.desired, {
    first_name: 'Jordan', last_name: 'Rivera', email: 'jordan.rivera@example.com', phone: '6025550101',
    active: true, roles: ['Regional Manager'], office_ids: [101, 102]
  })
  t.equal(jordan.enerfloUserId, 1001)

  const sam = await sync('00usampatel000000001')
  t.match(sam.desired, { first_name: 'Samantha', phone: '6025550199', manager_email: 'jordan.rivera@example.com', roles: ['Sales Rep'], office_ids: [101] })

  const casey = await sync('00ucaseynguyen000001')
  t.equal(casey.desired.phone, undefined)
  t.match(casey.notes, [{ field: 'phone', reason: /not a North American number/ }])
  t.equal(casey.enerfloUserId, undefined, 'no id attribute: resolved by a stored link or parked')

  directory.deleteUser('00ualexkim0000000001')
  t.same((await sync('00ualexkim0000000001')).desired, { active: false })
})
