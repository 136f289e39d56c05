/**
 * Reads the sandbox's seed (sandbox/enerflo-users.json) and checks it, so a typo in the demo data
 * fails at start with the entry named instead of as an odd 422 later.
 */
import { readFile } from 'node:fs/promises'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { SandboxUser } from './sandbox-types.js'

const Int = Type.Integer()
const SeedUser = Type.Object({
  id: Int,
  first_name: Type.Optional(Type.String()),
  last_name: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  active: Type.Optional(Type.Boolean()),
  manager_email: Type.Optional(Type.String()),
  roles: Type.Optional(Type.Array(Type.String())),
  office_ids: Type.Optional(Type.Array(Int)),
  surveys: Type.Optional(Type.Integer({ minimum: 0 })),
  appointments: Type.Optional(Type.Integer({ minimum: 0 })),
  // Per Role Name, e.g. {"Setter": {"surveys": 2, "appointments": 0}}; see SandboxUser.attributed.
  attributed: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Object({ surveys: Type.Integer({ minimum: 0 }), appointments: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }))),
  external_user_id: Type.Optional(Type.String()),
  // A deleted user still holds its email: the demo shows "already been taken" with it.
  deleted: Type.Optional(Type.Boolean())
})
const SeedUsers = Type.Array(SeedUser)
const Seed = Type.Object({ offices: Type.Optional(Type.Array(Int)), users: SeedUsers })

/** Checks users that came from a file or over HTTP and fills the defaults. Throws on bad data. */
export function normalizeUsers (value: unknown, where: string): SandboxUser[] {
  if (!Value.Check(SeedUsers, value)) {
    const first = Value.Errors(SeedUsers, value).First()
    throw new Error(`${where}: invalid users${first === undefined ? '' : ` at ${first.path}: ${first.message}`}`)
  }
  const seen = new Set<number>()
  return (value as Array<Static<typeof SeedUser>>).map((u) => {
    if (seen.has(u.id)) throw new Error(`${where}: user id ${u.id} appears twice`)
    seen.add(u.id)
    return {
      ...u,
      active: u.active ?? true,
      roles: [...u.roles ?? []],
      office_ids: [...u.office_ids ?? []],
      surveys: u.surveys ?? 0,
      appointments: u.appointments ?? 0
    }
  })
}

export async function loadSandboxSeed (path: string): Promise<{ users: SandboxUser[], offices: number[] }> {
  const raw: unknown = JSON.parse(await readFile(path, 'utf8'))
  if (!Value.Check(Seed, raw)) {
    const first = Value.Errors(Seed, raw).First()
    throw new Error(`${path}: not a sandbox seed${first === undefined ? '' : ` at ${first.path}: ${first.message}`}`)
  }
  const users = normalizeUsers(raw.users, path)
  // Without an explicit list, the offices the users already sit in are the known ones.
  const offices = raw.offices ?? [...new Set(users.flatMap((u) => u.office_ids))]
  return { users, offices: [...offices] }
}
