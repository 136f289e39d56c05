/**
 * The `attributes` and `excludedAttributes` query parameters (RFC 7644 §3.9) applied to a rendered
 * resource: comma-separated names, case-insensitive, optionally URN-prefixed, with sub-attributes
 * (`name.givenName`, `emails.value`). `id` and `schemas` are always returned. Returns a new object.
 */
import { ENTERPRISE_SCHEMA } from './schema.js'
import { findKey, isPlainObject, splitUrn } from './names.js'

const ALWAYS = ['id', 'schemas']

/** One listed name as the keys to follow: `[attr]`, `[attr, sub]`, or the same under the extension's key. */
function steps (name: string): string[] | undefined {
  const { urn, rest } = splitUrn(name.trim())
  if (name.trim() === '') return undefined
  const inner = rest === '' ? [] : rest.split('.')
  if (inner.length > 2 || inner.some((s) => s === '')) return undefined
  return urn === ENTERPRISE_SCHEMA ? [ENTERPRISE_SCHEMA, ...inner] : inner.length === 0 ? undefined : inner
}

function parse (list: string | undefined): string[][] {
  if (list === undefined) return []
  return list.split(',').flatMap((n) => {
    const s = steps(n)
    return s === undefined ? [] : [s]
  })
}

/** The part of `value` the keys reach, or undefined. Arrays are followed element by element. */
function pick (value: unknown, keys: readonly string[]): unknown {
  if (keys.length === 0) return structuredClone(value)
  if (Array.isArray(value)) {
    // Element by element, an empty object where nothing was reached, so that several
    // sub-attributes of the same list (`emails.value,emails.type`) merge by position.
    const out = value.map((el) => pick(el, keys) ?? {})
    return out.some((el) => !isPlainObject(el) || Object.keys(el).length > 0) ? out : undefined
  }
  if (!isPlainObject(value)) return undefined
  const key = findKey(value, keys[0] as string)
  if (key === undefined) return undefined
  const inner = pick(value[key], keys.slice(1))
  return inner === undefined ? undefined : { [key]: inner }
}

/** Merges what `pick` returned for several names into one result. */
function merge (into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    const old = into[k]
    if (isPlainObject(old) && isPlainObject(v)) merge(old, v)
    else if (Array.isArray(old) && Array.isArray(v) && old.length === v.length) {
      into[k] = old.map((o, i) => (isPlainObject(o) && isPlainObject(v[i]) ? { ...o, ...v[i] } : v[i]) as unknown)
    } else into[k] = v
  }
}

/** Drops the placeholder empty objects `pick` left in lists. */
function tidy (value: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v)) value[k] = v.filter((el) => !isPlainObject(el) || Object.keys(el).length > 0)
    else if (isPlainObject(v)) tidy(v)
  }
}

/** Deletes what the keys reach, in place on a copy; emptied objects are left out. */
function omit (value: Record<string, unknown>, keys: readonly string[]): void {
  const key = findKey(value, keys[0] as string)
  if (key === undefined) return
  if (keys.length === 1) { delete value[key]; return }
  const inner = value[key]
  const rest = keys.slice(1)
  for (const el of Array.isArray(inner) ? inner : [inner]) if (isPlainObject(el)) omit(el, rest)
  if (isPlainObject(inner) && Object.keys(inner).length === 0) delete value[key]
}

export function project (resource: Record<string, unknown>, attributes?: string, excludedAttributes?: string): Record<string, unknown> {
  const wanted = parse(attributes)
  const always = (name: string): boolean => ALWAYS.includes(name.toLowerCase())
  if (wanted.length > 0) {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(resource)) if (always(key)) out[key] = structuredClone(resource[key])
    for (const keys of wanted) {
      const got = pick(resource, keys)
      if (isPlainObject(got)) merge(out, got)
    }
    tidy(out)
    return out
  }
  const out = structuredClone(resource)
  for (const keys of parse(excludedAttributes)) {
    if (keys.length === 1 && always(keys[0] as string)) continue
    omit(out, keys)
  }
  return out
}
