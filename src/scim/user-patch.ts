/**
 * SCIM PATCH on a User's stored attributes (RFC 7644 §3.5.2), as Okta and Entra send it: paths
 * `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub` with an optional schema URN; path-less
 * add/replace whose value keys are themselves paths (plain, dotted or URN-prefixed, or the
 * enterprise extension object); "True"/"False" strings; a bare manager id. Works on a copy and
 * applies all operations or none.
 */
import { badRequest, type ScimProblem } from './problem.js'
import { ENTERPRISE_ATTRIBUTES, ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_ATTRIBUTES, type AttributeDef } from './schema.js'
import { findDef, isPlainObject, splitUrn } from './names.js'
import { parseValueFilter, type ValueClause } from './filter.js'
import { readPatchOperations, splitPath, type OpKind, type PatchOperation } from './patch-ops.js'
import { checkMulti, coerce, coerceObject, coerceSimple, keepElement, toBoolean } from './values.js'
import type { UserAttributes } from './user-body.js'

type Result = { ok: true } | { ok: false, problem: ScimProblem }
const OK: Result = { ok: true }
type Element = Record<string, unknown>

interface Target {
  ext: boolean
  def: AttributeDef
  filter?: ValueClause[]
  sub?: AttributeDef
}

/** What a path names: an attribute, the whole enterprise extension, or `password` (accepted, ignored). */
type Resolved = { ok: true, target: Target | 'extension' | 'ignore' } | { ok: false, problem: ScimProblem }

const SERVER_OWNED = new Set(['id', 'meta', 'schemas'])

function resolve (path: string): Resolved {
  const split = splitPath(path)
  if (split === undefined) return badRequest('invalidPath', `the path "${path}" is not valid`)
  if (split.urn === GROUP_SCHEMA) return badRequest('invalidPath', `the path "${path}" is not a User attribute`)
  if (split.name === '') return split.urn === ENTERPRISE_SCHEMA ? { ok: true, target: 'extension' } : badRequest('invalidPath', `the path "${path}" names no attribute`)
  const core = split.urn === ENTERPRISE_SCHEMA ? undefined : findDef(USER_ATTRIBUTES, split.name)
  const ent = split.urn === undefined || split.urn === ENTERPRISE_SCHEMA ? findDef(ENTERPRISE_ATTRIBUTES, split.name) : undefined
  const def = core ?? ent
  if (def === undefined) {
    if (split.urn !== ENTERPRISE_SCHEMA && SERVER_OWNED.has(split.name.toLowerCase())) return badRequest('mutability', `${split.name} is set by the server and cannot be changed`)
    return badRequest('invalidPath', `unknown attribute "${split.name}" in the path "${path}"`)
  }
  if (def.mutability === 'readOnly') return badRequest('mutability', `${def.name} is read-only`)
  if (def.returned === 'never') return { ok: true, target: 'ignore' }
  const target: Target = { ext: core === undefined, def }
  if (split.filter !== undefined) {
    if (!def.multiValued) return badRequest('invalidPath', `${def.name} is not multi-valued: no filter in "${path}"`)
    const f = parseValueFilter(split.filter, def.subAttributes ?? [])
    if (!f.ok) return badRequest('invalidPath', f.problem.detail)
    target.filter = f.clauses
  }
  if (split.sub !== undefined) {
    const sub = findDef(def.subAttributes, split.sub)
    if (sub === undefined) return badRequest('invalidPath', `${def.name} has no sub-attribute "${split.sub}"`)
    target.sub = sub
  }
  return { ok: true, target }
}

function equalStrings (def: AttributeDef | undefined, a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false
  return def?.caseExact === true ? a === b : a.toLowerCase() === b.toLowerCase()
}

function matches (def: AttributeDef, el: Element, clauses: readonly ValueClause[]): boolean {
  return clauses.every((c) => {
    const sub = findDef(def.subAttributes, c.attribute)
    if (sub?.type === 'boolean') return (el[c.attribute] === true) === (toBoolean(c.value) ?? !(el[c.attribute] === true))
    return equalStrings(sub, el[c.attribute], c.value)
  })
}

/** The element a filter such as `[type eq "work"]` describes, for when none matches yet. */
function fromFilter (def: AttributeDef, clauses: readonly ValueClause[]): Element {
  const el: Element = {}
  for (const c of clauses) {
    const sub = findDef(def.subAttributes, c.attribute)
    el[c.attribute] = sub?.type === 'boolean' ? toBoolean(c.value) ?? false : c.value
  }
  return el
}

function list (container: Element, def: AttributeDef): Element[] {
  const v = container[def.name]
  return Array.isArray(v) ? v.filter(isPlainObject) : []
}

/** Stores a multi-valued attribute after a change: the touched elements' primary wins, empty elements go. */
function storeList (container: Element, def: AttributeDef, els: Element[], touched: ReadonlySet<Element>): Result {
  const kept = els.filter((e) => keepElement(def, e))
  if ([...touched].some((e) => e['primary'] === true && kept.includes(e))) {
    for (const e of kept) if (!touched.has(e) && e['primary'] === true) e['primary'] = false
  }
  const problem = checkMulti(def, kept, def.name)
  if (problem !== undefined) return { ok: false, problem }
  if (kept.length === 0) delete container[def.name]
  else container[def.name] = kept
  return OK
}

function setSub (el: Element, sub: AttributeDef, value: unknown): void {
  if (value === undefined) delete el[sub.name]
  else el[sub.name] = value
}

function setWhole (container: Element, t: Target, kind: OpKind, value: unknown): Result {
  const { def } = t
  const c = coerce(def, value, def.name, true)
  if (!c.ok) return c
  if (c.value === undefined && def.required) return badRequest('invalidValue', `${def.name} cannot be empty`)
  if (def.multiValued && kind === 'add') {
    if (c.value === undefined) return OK
    const els = list(container, def)
    const touched = new Set<Element>()
    for (const el of c.value as Element[]) {
      const at = els.findIndex((e) => e['value'] !== undefined && equalStrings(findDef(def.subAttributes, 'value'), e['value'], el['value']))
      if (at === -1) els.push(el)
      else els[at] = el
      touched.add(el)
    }
    return storeList(container, def, els, touched)
  }
  // A complex single value merges into the old one (RFC 7644 §3.5.2.1), except a reference such as
  // the manager, where a new `value` makes the old display name wrong.
  const old = container[def.name]
  if (def.type === 'complex' && !def.multiValued && isPlainObject(value) && findDef(def.subAttributes, 'value') === undefined) {
    const merged: Element = { ...(isPlainObject(old) ? old : {}), ...(c.value as Element | undefined) }
    for (const [k, raw] of Object.entries(value)) if (raw === null || raw === '') delete merged[findDef(def.subAttributes, k)?.name ?? k]
    if (Object.keys(merged).length === 0) delete container[def.name]
    else container[def.name] = merged
    return OK
  }
  if (c.value === undefined) delete container[def.name]
  else container[def.name] = c.value
  return OK
}

function setSubOfSingle (container: Element, def: AttributeDef, sub: AttributeDef, value: unknown): Result {
  const c = coerceSimple(sub, value, `${def.name}.${sub.name}`)
  if (!c.ok) return c
  const old = container[def.name]
  const el: Element = isPlainObject(old) && !(sub.name === 'value' && findDef(def.subAttributes, 'value') !== undefined) ? { ...old } : {}
  setSub(el, sub, c.value)
  if (Object.keys(el).length === 0) delete container[def.name]
  else container[def.name] = el
  return OK
}

function setInList (container: Element, t: Target & { filter?: ValueClause[] }, kind: OpKind, value: unknown): Result {
  const { def, sub, filter } = t
  const els = list(container, def)
  const chosen = els.filter((e) => filter === undefined || matches(def, e, filter))
  const touched = new Set<Element>()
  let update: (el: Element) => Element
  if (sub !== undefined) {
    const c = coerceSimple(sub, value, `${def.name}.${sub.name}`)
    if (!c.ok) return c
    update = (el) => { setSub(el, sub, c.value); return el }
  } else {
    const c = coerceObject(def, value, def.name)
    if (!c.ok) return c
    const given = (c.value ?? {}) as Element
    update = (el) => kind === 'add' ? Object.assign(el, given) : Object.assign(fromFilter(def, filter ?? []), given)
  }
  if (chosen.length === 0) {
    if (filter === undefined && sub === undefined) return OK
    const el = update(fromFilter(def, filter ?? []))
    els.push(el)
    touched.add(el)
  }
  for (const el of chosen) {
    const next = update(el)
    els[els.indexOf(el)] = next
    touched.add(next)
  }
  return storeList(container, def, els, touched)
}

function removeAt (container: Element, t: Target, op: PatchOperation): Result {
  const { def, sub, filter } = t
  if (def.required && sub === undefined) return badRequest('invalidValue', `${def.name} is required and cannot be removed`)
  if (!def.multiValued) {
    if (sub === undefined) delete container[def.name]
    else return setSubOfSingle(container, def, sub, undefined)
    return OK
  }
  if (sub === undefined && filter === undefined && !(Array.isArray(op.value) || isPlainObject(op.value))) {
    delete container[def.name]
    return OK
  }
  // `remove emails` with a value list removes those values, as Entra removes group members.
  const valueDef = findDef(def.subAttributes, 'value')
  const given = (Array.isArray(op.value) ? op.value : [op.value]).filter(isPlainObject).map((v) => v['value'])
  const picked = (e: Element): boolean => filter !== undefined ? matches(def, e, filter) : sub !== undefined || given.some((v) => equalStrings(valueDef, e['value'], v))
  const els = list(container, def).flatMap((e) => {
    if (!picked(e)) return [e]
    if (sub === undefined) return []
    const copy = { ...e }
    delete copy[sub.name]
    return [copy]
  })
  return storeList(container, def, els, new Set())
}

function applyTarget (work: UserAttributes, t: Target, op: PatchOperation): Result {
  let container: Element = work
  if (t.ext) {
    const ext = work[ENTERPRISE_SCHEMA]
    container = isPlainObject(ext) ? ext : {}
    work[ENTERPRISE_SCHEMA] = container
  }
  let r: Result
  if (op.op === 'remove') r = removeAt(container, t, op)
  else if (t.filter !== undefined || (t.def.multiValued && t.sub !== undefined)) r = setInList(container, t, op.op, op.value)
  else if (t.sub !== undefined) r = setSubOfSingle(container, t.def, t.sub, op.value)
  else r = setWhole(container, t, op.op, op.value)
  if (t.ext && Object.keys(container).length === 0) delete work[ENTERPRISE_SCHEMA]
  return r
}

function applyEach (work: UserAttributes, kind: OpKind, value: unknown, prefix: string): Result {
  if (!isPlainObject(value)) return badRequest('invalidValue', `${kind} without a path needs an object value`)
  for (const [key, v] of Object.entries(value)) {
    if (prefix === '' && SERVER_OWNED.has(key.toLowerCase())) continue
    const r = applyPath(work, { op: kind, path: prefix + key, hasValue: true, value: v })
    if (!r.ok) return r
  }
  return OK
}

function applyPath (work: UserAttributes, op: PatchOperation & { path: string }): Result {
  const r = resolve(op.path)
  if (!r.ok) return r
  if (r.target === 'ignore') return OK
  if (r.target === 'extension') {
    if (op.op === 'remove') { delete work[ENTERPRISE_SCHEMA]; return OK }
    if (op.value === null) return OK
    return applyEach(work, op.op, op.value, `${ENTERPRISE_SCHEMA}:`)
  }
  return applyTarget(work, r.target, op)
}

function applyOperation (work: UserAttributes, op: PatchOperation): Result {
  if (op.path !== undefined) return applyPath(work, { ...op, path: op.path })
  // No path: each key of the value is a path of its own; the extension's object is opened up.
  if (!isPlainObject(op.value)) return badRequest('invalidValue', `${op.op} without a path needs an object value`)
  for (const [key, v] of Object.entries(op.value)) {
    const { urn, rest } = splitUrn(key)
    const r = urn === ENTERPRISE_SCHEMA && rest === ''
      ? (v === null ? OK : applyEach(work, op.op, v, `${ENTERPRISE_SCHEMA}:`))
      : applyEach(work, op.op, { [key]: v }, '')
    if (!r.ok) return r
  }
  return OK
}

/** Applies a PATCH body to a copy of the attributes: the new attributes, or the first problem. */
export function applyUserPatch (attrs: UserAttributes, body: unknown): { ok: true, attrs: UserAttributes } | { ok: false, problem: ScimProblem } {
  const read = readPatchOperations(body)
  if (!read.ok) return read
  const work = structuredClone(attrs)
  for (const op of read.ops) {
    const r = applyOperation(work, op)
    if (!r.ok) return r
  }
  return { ok: true, attrs: work }
}
