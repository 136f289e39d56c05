/**
 * Checks one written attribute value against its definition and returns it in the stored form:
 * canonical sub-attribute names, booleans from Entra's "True"/"False" strings, a bare manager id as
 * `{ value }`, and `undefined` for null and empty strings ("unassigned", RFC 7644 §3.5.2). Also the
 * size guards (values per attribute, string length) and the one-primary rule (RFC 7643 §2.4).
 */
import { badRequest, type ScimProblem } from './problem.js'
import type { AttributeDef } from './schema.js'
import { findDef, isPlainObject } from './names.js'

export const MAX_VALUES = 50
export const MAX_STRING = 2048

export type Coerced = { ok: true, value: unknown } | { ok: false, problem: ScimProblem }

const STRINGISH = new Set(['string', 'reference', 'dateTime', 'binary'])

export const isUnassigned = (v: unknown): boolean => v === null || v === undefined || v === ''

function invalid (where: string, what: string): Coerced {
  return badRequest('invalidValue', `${where} ${what}`)
}

/** A boolean, or the strings true/false in any case (Entra without aadOptscim062020). */
export function toBoolean (v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v
  if (typeof v === 'string') {
    const lower = v.toLowerCase()
    if (lower === 'true') return true
    if (lower === 'false') return false
  }
  return undefined
}

export function coerceSimple (def: AttributeDef, v: unknown, where: string): Coerced {
  if (isUnassigned(v)) return { ok: true, value: undefined }
  if (STRINGISH.has(def.type)) {
    if (typeof v !== 'string') return invalid(where, 'must be a string')
    if (v.length > MAX_STRING) return invalid(where, `is longer than ${MAX_STRING} characters`)
    return { ok: true, value: v }
  }
  if (def.type === 'boolean') {
    const b = toBoolean(v)
    return b === undefined ? invalid(where, 'must be true or false') : { ok: true, value: b }
  }
  if (def.type === 'integer') return Number.isSafeInteger(v) ? { ok: true, value: v } : invalid(where, 'must be an integer')
  if (def.type === 'decimal') return typeof v === 'number' && Number.isFinite(v) ? { ok: true, value: v } : invalid(where, 'must be a number')
  return invalid(where, 'is not a simple attribute')
}

/** A complex value (or one element of a multi-valued one): known sub-attributes only, unassigned ones left out. */
export function coerceObject (def: AttributeDef, v: unknown, where: string): Coerced {
  if (isUnassigned(v)) return { ok: true, value: undefined }
  // Entra sends the manager (and a reference like it) as the bare id.
  if (typeof v === 'string' && !def.multiValued && findDef(def.subAttributes, 'value') !== undefined) v = { value: v }
  if (!isPlainObject(v)) return invalid(where, def.multiValued ? 'must be an array of objects' : 'must be an object')
  const out: Record<string, unknown> = {}
  for (const [key, raw] of Object.entries(v)) {
    const sub = findDef(def.subAttributes, key)
    if (sub === undefined) continue
    const c = coerceSimple(sub, raw, `${where}.${sub.name}`)
    if (!c.ok) return c
    if (c.value !== undefined) out[sub.name] = c.value
  }
  return { ok: true, value: Object.keys(out).length === 0 ? undefined : out }
}

/** Elements without a `value` (where the attribute has one) or without anything are dropped. */
export function keepElement (def: AttributeDef, el: Record<string, unknown>): boolean {
  if (findDef(def.subAttributes, 'value') !== undefined) return el['value'] !== undefined
  return Object.keys(el).length > 0
}

export function checkMulti (def: AttributeDef, els: ReadonlyArray<Record<string, unknown>>, where: string): ScimProblem | undefined {
  if (els.length > MAX_VALUES) return { status: 400, scimType: 'invalidValue', detail: `${where} has more than ${MAX_VALUES} values` }
  if (els.filter((e) => e['primary'] === true).length > 1) return { status: 400, scimType: 'invalidValue', detail: `${where} has more than one primary value` }
  return undefined
}

/** A multi-valued attribute: an array of objects (with `single`, one object is taken as a one-element array). */
export function coerceMulti (def: AttributeDef, v: unknown, where: string, single = false): Coerced {
  if (isUnassigned(v)) return { ok: true, value: undefined }
  if (single && isPlainObject(v)) v = [v]
  if (!Array.isArray(v)) return invalid(where, 'must be an array of objects')
  if (v.length > MAX_VALUES) return invalid(where, `has more than ${MAX_VALUES} values`)
  const out: Array<Record<string, unknown>> = []
  for (const el of v) {
    if (!isPlainObject(el)) return invalid(where, 'must be an array of objects')
    const c = coerceObject(def, el, where)
    if (!c.ok) return c
    if (c.value !== undefined && keepElement(def, c.value as Record<string, unknown>)) out.push(c.value as Record<string, unknown>)
  }
  const problem = checkMulti(def, out, where)
  if (problem !== undefined) return { ok: false, problem }
  return { ok: true, value: out.length === 0 ? undefined : out }
}

export function coerce (def: AttributeDef, v: unknown, where: string, single = false): Coerced {
  if (def.type !== 'complex') return coerceSimple(def, v, where)
  return def.multiValued ? coerceMulti(def, v, where, single) : coerceObject(def, v, where)
}
