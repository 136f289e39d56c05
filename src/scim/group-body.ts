/**
 * SCIM Group bodies: a POST or PUT body read into a display name, an external id and member ids,
 * and a PATCH read into a list of changes the store applies in order. Both Entra forms of member
 * removal are understood (`path: "members"` with a value list, and `members[value eq "…"]`), as are
 * path-less replaces and ops in any case. Member ids are deduplicated, in the order first given.
 */
import { badRequest, type ScimProblem } from './problem.js'
import { GROUP_ATTRIBUTES, GROUP_SCHEMA } from './schema.js'
import { findDef, findKey, isPlainObject, schemasInclude } from './names.js'
import { parseValueFilter } from './filter.js'
import { readPatchOperations, splitPath, type OpKind } from './patch-ops.js'
import { MAX_STRING } from './values.js'

export interface GroupBody {
  displayName: string
  externalId?: string
  members: string[]
}

export type GroupChange =
  | { kind: 'displayName', value: string }
  | { kind: 'externalId', value: string | undefined }
  | { kind: 'add', members: string[] }
  | { kind: 'remove', members: string[] }
  | { kind: 'removeAll' }
  | { kind: 'replaceMembers', members: string[] }

type Fail = { ok: false, problem: ScimProblem }
type Got<T> = { ok: true, value: T } | Fail

const MEMBERS_DEF = findDef(GROUP_ATTRIBUTES, 'members')

/** `[{ value: "id" }, …]` (or one such object) → the ids. */
function readMembers (raw: unknown, where: string): Got<string[]> {
  if (raw === null || raw === undefined) return { ok: true, value: [] }
  const list = isPlainObject(raw) ? [raw] : raw
  if (!Array.isArray(list)) return badRequest('invalidValue', `${where} must be an array of objects with a value`)
  const ids: string[] = []
  for (const m of list) {
    const key = isPlainObject(m) ? findKey(m, 'value') : undefined
    const id = key === undefined ? undefined : (m as Record<string, unknown>)[key]
    if (typeof id !== 'string' || id === '' || id.length > MAX_STRING) return badRequest('invalidValue', `${where}: every member needs a value, the member's id`)
    if (!ids.includes(id)) ids.push(id)
  }
  return { ok: true, value: ids }
}

function readString (raw: unknown, name: string, required: boolean): Got<string | undefined> {
  if (raw === null || raw === undefined || raw === '') {
    return required ? badRequest('invalidValue', `${name} is required and must be a non-empty string`) : { ok: true, value: undefined }
  }
  if (typeof raw !== 'string') return badRequest('invalidValue', `${name} must be a string`)
  if (raw.length > MAX_STRING) return badRequest('invalidValue', `${name} is longer than ${MAX_STRING} characters`)
  return { ok: true, value: raw }
}

const member = (body: Record<string, unknown>, name: string): unknown => {
  const key = findKey(body, name)
  return key === undefined ? undefined : body[key]
}

export function readGroupBody (body: unknown): { ok: true, group: GroupBody } | Fail {
  if (!isPlainObject(body)) return badRequest('invalidSyntax', 'the body must be a JSON object')
  if (!schemasInclude(body, GROUP_SCHEMA)) return badRequest('invalidSyntax', `not a SCIM Group: schemas must include ${GROUP_SCHEMA}`)
  const displayName = readString(member(body, 'displayName'), 'displayName', true)
  if (!displayName.ok) return displayName
  const externalId = readString(member(body, 'externalId'), 'externalId', false)
  if (!externalId.ok) return externalId
  const members = readMembers(member(body, 'members'), 'members')
  if (!members.ok) return members
  const group: GroupBody = { displayName: displayName.value as string, members: members.value }
  if (externalId.value !== undefined) group.externalId = externalId.value
  return { ok: true, group }
}

type Attr = 'displayName' | 'externalId' | 'members'
const SERVER_OWNED = new Set(['id', 'meta', 'schemas'])

/** A path into a Group: the attribute, and for `members[value eq "id"]` that one id. */
function resolve (path: string): Got<{ attr: Attr, member?: string }> {
  const split = splitPath(path)
  if (split === undefined || (split.urn !== undefined && split.urn !== GROUP_SCHEMA)) return badRequest('invalidPath', `the path "${path}" is not a Group attribute`)
  const def = findDef(GROUP_ATTRIBUTES, split.name)
  if (def === undefined) {
    if (SERVER_OWNED.has(split.name.toLowerCase())) return badRequest('mutability', `${split.name} is set by the server and cannot be changed`)
    return badRequest('invalidPath', `unknown attribute "${split.name}" in the path "${path}"`)
  }
  const attr = def.name as Attr
  if (split.sub !== undefined) return badRequest('invalidPath', `the path "${path}" is not supported: sub-attributes of ${attr} cannot be set`)
  if (split.filter === undefined) return { ok: true, value: { attr } }
  if (attr !== 'members') return badRequest('invalidPath', `${attr} is not multi-valued: no filter in "${path}"`)
  const f = parseValueFilter(split.filter, MEMBERS_DEF?.subAttributes ?? [])
  const only = f.ok && f.clauses.length === 1 ? f.clauses[0] : undefined
  if (only?.attribute !== 'value' || typeof only.value !== 'string') return badRequest('invalidPath', `the path "${path}" is not supported: only members[value eq "id"]`)
  return { ok: true, value: { attr, member: only.value } }
}

function change (kind: OpKind, target: { attr: Attr, member?: string }, hasValue: boolean, value: unknown): Got<GroupChange> {
  const { attr } = target
  if (attr === 'displayName') {
    if (kind === 'remove') return badRequest('invalidValue', 'displayName is required and cannot be removed')
    const v = readString(value, 'displayName', true)
    return v.ok ? { ok: true, value: { kind: 'displayName', value: v.value as string } } : v
  }
  if (attr === 'externalId') {
    if (kind === 'remove') return { ok: true, value: { kind: 'externalId', value: undefined } }
    const v = readString(value, 'externalId', false)
    return v.ok ? { ok: true, value: { kind: 'externalId', value: v.value } } : v
  }
  if (target.member !== undefined) {
    if (kind !== 'remove') return badRequest('invalidPath', `${kind} on members[value eq "…"] is not supported: add to members instead`)
    return { ok: true, value: { kind: 'remove', members: [target.member] } }
  }
  if (kind === 'remove' && (!hasValue || value === null)) return { ok: true, value: { kind: 'removeAll' } }
  const members = readMembers(value, 'members')
  if (!members.ok) return members
  if (kind === 'remove') return { ok: true, value: { kind: 'remove', members: members.value } }
  return { ok: true, value: kind === 'add' ? { kind: 'add', members: members.value } : { kind: 'replaceMembers', members: members.value } }
}

export function readGroupPatch (body: unknown): { ok: true, changes: GroupChange[] } | Fail {
  const read = readPatchOperations(body)
  if (!read.ok) return read
  const changes: GroupChange[] = []
  for (const op of read.ops) {
    if (op.path !== undefined) {
      const target = resolve(op.path)
      if (!target.ok) return target
      const c = change(op.op, target.value, op.hasValue, op.value)
      if (!c.ok) return c
      changes.push(c.value)
      continue
    }
    // No path (add or replace): each key of the value is an attribute; echoed id/meta/schemas are skipped.
    if (!isPlainObject(op.value)) return badRequest('invalidValue', `${op.op} without a path needs an object value`)
    for (const [key, value] of Object.entries(op.value)) {
      if (SERVER_OWNED.has(key.toLowerCase())) continue
      const target = resolve(key)
      if (!target.ok) return target
      const c = change(op.op, target.value, true, value)
      if (!c.ok) return c
      changes.push(c.value)
    }
  }
  return { ok: true, changes }
}
