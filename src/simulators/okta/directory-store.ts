/**
 * The local Okta directory's state: users, groups and memberships, with the timestamps Okta keeps.
 * Mutations throw on unknown ids because only tests and the sandbox call them.
 */
import type { DirectoryGroup, DirectoryUser } from './directory-types.js'

export interface StoredUser extends DirectoryUser {
  created: string
  activated: string | null
  statusChanged: string | null
  lastUpdated: string
}

export interface DirectoryStore {
  find: (idOrLogin: string) => StoredUser | undefined
  group: (id: string) => DirectoryGroup | undefined
  /** Every user and every group, in id order (Okta's listing order, for `after` cursors). */
  users: () => StoredUser[]
  groups: () => DirectoryGroup[]
  setUser: (u: DirectoryUser) => void
  updateProfile: (id: string, patch: Record<string, unknown>) => StoredUser
  setStatus: (id: string, status: string) => StoredUser
  deleteUser: (id: string) => void
  addToGroup: (userId: string, groupId: string) => void
  removeFromGroup: (userId: string, groupId: string) => void
}

export function createDirectoryStore (users: DirectoryUser[], groups: DirectoryGroup[]): DirectoryStore {
  const byId = new Map<string, StoredUser>()
  const groupsById = new Map(groups.map((g) => [g.id, { ...g }]))
  const now = (): string => new Date().toISOString()

  const get = (id: string): StoredUser => {
    const user = byId.get(id)
    if (user === undefined) throw new Error(`no user ${id} in the directory`)
    return user
  }

  const store: DirectoryStore = {
    find (idOrLogin) {
      // Okta also accepts the login where an id is expected.
      return byId.get(idOrLogin) ?? [...byId.values()].find((u) => u.profile['login'] === idOrLogin)
    },
    group: (id) => groupsById.get(id),
    users: () => [...byId.values()].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    groups: () => [...groupsById.values()].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    setUser (u) {
      const at = now()
      const previous = byId.get(u.id)
      byId.set(u.id, {
        id: u.id,
        status: u.status,
        profile: { ...u.profile },
        groups: [...u.groups],
        created: previous?.created ?? at,
        activated: u.status === 'STAGED' ? null : previous?.activated ?? at,
        statusChanged: previous?.status === u.status ? previous.statusChanged : at,
        lastUpdated: u.lastUpdated ?? at
      })
    },
    updateProfile (id, patch) {
      const user = get(id)
      Object.assign(user.profile, patch)
      user.lastUpdated = now()
      return user
    },
    setStatus (id, status) {
      const user = get(id)
      if (user.status !== status) {
        user.status = status
        user.statusChanged = user.lastUpdated = now()
        if (status === 'ACTIVE' && user.activated === null) user.activated = user.statusChanged
      }
      return user
    },
    deleteUser (id) {
      get(id)
      byId.delete(id)
    },
    addToGroup (userId, groupId) {
      const user = get(userId)
      if (!groupsById.has(groupId)) throw new Error(`no group ${groupId} in the directory`)
      if (!user.groups.includes(groupId)) user.groups.push(groupId)
    },
    removeFromGroup (userId, groupId) {
      const user = get(userId)
      user.groups = user.groups.filter((g) => g !== groupId)
    }
  }
  for (const u of users) store.setUser(u)
  return store
}
