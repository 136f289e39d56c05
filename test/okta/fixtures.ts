/**
 * A local Okta directory for tests, with its own users and groups and a token made per test.
 */
import { randomBytes } from 'node:crypto'
import { createOktaDirectory, type DirectoryGroup, type DirectoryUser, type OktaDirectory } from '../../src/simulators/okta/directory.js'

export const groups: DirectoryGroup[] = [
  { id: '00greps', name: 'Reps' },
  { id: '00grms', name: 'RMs' },
  { id: '00gphx', name: 'Office Phoenix' },
  { id: '00gden', name: 'Office Denver' },
  { id: '00gall', name: 'Everyone' }
]

export const users = (): DirectoryUser[] => [
  {
    id: '00urivera', status: 'ACTIVE',
    profile: { login: 'rivera@example.com', email: 'rivera@example.com', firstName: 'Jo', lastName: 'Rivera', mobilePhone: '602 555 0101' },
    groups: ['00gden', '00grms', '00gphx', '00gall', '00greps']
  },
  { id: '00ustaged', status: 'STAGED', profile: { login: 'new@example.com', firstName: 'New' }, groups: [] }
]

export interface Started {
  directory: OktaDirectory
  url: string
  token: string
}

export async function startDirectory (t: { teardown: (fn: () => unknown) => void }, opts: { pageSize?: number } = {}): Promise<Started> {
  const token = randomBytes(20).toString('hex')
  const directory = createOktaDirectory({ token, users: users(), groups, ...opts })
  const url = await directory.listen(0)
  t.teardown(() => directory.close())
  return { directory, url, token }
}
