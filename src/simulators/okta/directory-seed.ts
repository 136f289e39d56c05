/**
 * Reading a directory seed file (sandbox/okta-directory.json): groups `{id, name}` and users
 * `{id, status, profile, groups: [groupId]}`. A user or group id given twice is refused, as a
 * demo person would otherwise silently hide another.
 */
import { readFile } from 'node:fs/promises'
import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { SyncError } from '../../errors.js'
import type { DirectoryGroup, DirectoryUser } from './directory-types.js'

const SeedSchema = Type.Object({
  groups: Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), name: Type.String({ minLength: 1 }) })),
  users: Type.Array(Type.Object({
    id: Type.String({ minLength: 1 }),
    status: Type.String({ minLength: 1 }),
    profile: Type.Record(Type.String(), Type.Unknown()),
    groups: Type.Array(Type.String())
  }))
})

export async function loadDirectorySeed (path: string): Promise<{ users: DirectoryUser[], groups: DirectoryGroup[] }> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new SyncError('CONFIG_INVALID', `directory seed ${path}: ${(err as Error).message}`, 500, { cause: err })
  }
  const problems = [...Value.Errors(SeedSchema, json)].map((e) => `${e.path}: ${e.message}`)
  if (problems.length === 0) {
    const seed = json as { users: DirectoryUser[], groups: DirectoryGroup[] }
    const ids = new Set(seed.groups.map((g) => g.id))
    const twice = (list: Array<{ id: string }>, what: string): void => {
      const seen = new Set<string>()
      list.forEach((e, i) => {
        if (seen.has(e.id)) problems.push(`/${what}/${i}/id: ${JSON.stringify(e.id)} appears twice`)
        seen.add(e.id)
      })
    }
    twice(seed.groups, 'groups')
    twice(seed.users, 'users')
    seed.users.forEach((u, i) => u.groups.forEach((g, j) => {
      if (!ids.has(g)) problems.push(`/users/${i}/groups/${j}: no group with id ${JSON.stringify(g)}`)
    }))
    if (problems.length === 0) return seed
  }
  throw new SyncError('CONFIG_INVALID', `directory seed ${path} is invalid:\n` +
    problems.map((p) => `  - ${p}`).join('\n'))
}
