/**
 * The envelope of a SCIM PATCH request (RFC 7644 §3.5.2): the PatchOp schema, the `Operations`
 * array (any case, at most 100) and each operation's `op` (add, replace or remove in any case, as
 * Entra writes "Replace"), `path` and `value`. Shared by the User and the Group readers.
 */
import { badRequest, type ScimProblem } from './problem.js'
import { PATCH_SCHEMA } from './schema.js'
import { findKey, isPlainObject, schemasInclude, splitUrn, type KnownUrn } from './names.js'

export const MAX_OPERATIONS = 100

export type OpKind = 'add' | 'replace' | 'remove'

export interface PatchOperation {
  op: OpKind
  /** Absent when the operation has no path (or an empty one). */
  path?: string
  /** Whether a `value` member was sent (a `null` value counts as sent). */
  hasValue: boolean
  value: unknown
}

const KINDS = new Set<string>(['add', 'replace', 'remove'])

function readOperation (raw: unknown, n: number): { ok: true, op: PatchOperation } | { ok: false, problem: ScimProblem } {
  if (!isPlainObject(raw)) return badRequest('invalidSyntax', `operation ${n} must be an object`)
  const opKey = findKey(raw, 'op')
  const opText = opKey === undefined ? undefined : raw[opKey]
  if (typeof opText !== 'string' || !KINDS.has(opText.toLowerCase())) return badRequest('invalidSyntax', `operation ${n}: op must be add, replace or remove`)
  const pathKey = findKey(raw, 'path')
  const path = pathKey === undefined ? undefined : raw[pathKey]
  if (path !== undefined && path !== null && typeof path !== 'string') return badRequest('invalidSyntax', `operation ${n}: path must be a string`)
  const valueKey = findKey(raw, 'value')
  const op: PatchOperation = { op: opText.toLowerCase() as OpKind, hasValue: valueKey !== undefined, value: valueKey === undefined ? undefined : raw[valueKey] }
  if (typeof path === 'string' && path.trim() !== '') op.path = path.trim()
  if (op.op !== 'remove' && !op.hasValue) return badRequest('invalidSyntax', `operation ${n}: ${op.op} needs a value`)
  if (op.op === 'remove' && op.path === undefined) return badRequest('noTarget', `operation ${n}: remove needs a path`)
  return { ok: true, op }
}

export function readPatchOperations (body: unknown): { ok: true, ops: PatchOperation[] } | { ok: false, problem: ScimProblem } {
  if (!isPlainObject(body)) return badRequest('invalidSyntax', 'the body must be a JSON object')
  if (findKey(body, 'schemas') === undefined || !schemasInclude(body, PATCH_SCHEMA)) return badRequest('invalidSyntax', `not a SCIM PATCH: schemas must include ${PATCH_SCHEMA}`)
  const key = findKey(body, 'Operations')
  const list = key === undefined ? undefined : body[key]
  if (!Array.isArray(list) || list.length === 0) return badRequest('invalidSyntax', 'Operations must be a non-empty array')
  if (list.length > MAX_OPERATIONS) return badRequest('invalidSyntax', `at most ${MAX_OPERATIONS} operations per request`)
  const ops: PatchOperation[] = []
  for (const [i, raw] of list.entries()) {
    const r = readOperation(raw, i + 1)
    if (!r.ok) return r
    ops.push(r.op)
  }
  return { ok: true, ops }
}

export interface SplitPath {
  urn: KnownUrn | undefined
  /** The attribute as written (not yet canonical); '' when the path is a schema URN alone. */
  name: string
  /** The text between the brackets of `attr[filter]`. */
  filter?: string
  /** The sub-attribute after the dot, as written. */
  sub?: string
}

/**
 * `[urn:]attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub`, scanned once (quotes inside the
 * filter may hold brackets). `undefined` when the path has any other shape.
 */
export function splitPath (path: string): SplitPath | undefined {
  const { urn, rest } = splitUrn(path)
  let i = 0
  while (i < rest.length && rest[i] !== '.' && rest[i] !== '[') i++
  const out: SplitPath = { urn, name: rest.slice(0, i) }
  if (rest[i] === '[') {
    let j = i + 1
    let quoted = false
    while (j < rest.length && (quoted || rest[j] !== ']')) {
      if (rest[j] === '\\' && quoted) j++
      else if (rest[j] === '"') quoted = !quoted
      j++
    }
    if (j >= rest.length) return undefined
    out.filter = rest.slice(i + 1, j)
    i = j + 1
    if (i < rest.length && rest[i] !== '.') return undefined
  }
  if (rest[i] === '.') {
    const sub = rest.slice(i + 1)
    if (sub === '' || /[.[\]]/.test(sub)) return undefined
    out.sub = sub
  }
  if (out.name === '' && (out.filter !== undefined || out.sub !== undefined)) return undefined
  return out
}
