/**
 * Attribute names as SCIM clients write them: case-insensitive (RFC 7643 §2.1) and optionally led
 * by a schema URN (`urn:…:enterprise:2.0:User:department`). These helpers find the canonical
 * definition for a written name; they do no I/O and never throw.
 */
import { ENTERPRISE_ATTRIBUTES, ENTERPRISE_SCHEMA, GROUP_ATTRIBUTES, GROUP_SCHEMA, USER_ATTRIBUTES, USER_SCHEMA, type AttributeDef } from './schema.js'

const KNOWN_URNS = [USER_SCHEMA, ENTERPRISE_SCHEMA, GROUP_SCHEMA] as const
export type KnownUrn = typeof KNOWN_URNS[number]

/**
 * `urn:…:User:name.givenName` → `{ urn: USER_SCHEMA, rest: 'name.givenName' }`; a name equal to a
 * schema URN gives `rest: ''`; a name without a known URN prefix comes back as it is.
 */
export function splitUrn (name: string): { urn: KnownUrn | undefined, rest: string } {
  const lower = name.toLowerCase()
  if (!lower.startsWith('urn:')) return { urn: undefined, rest: name }
  // The longest URN first, so the enterprise extension is never read as the core User.
  for (const urn of [...KNOWN_URNS].sort((a, b) => b.length - a.length)) {
    const u = urn.toLowerCase()
    if (lower === u) return { urn, rest: '' }
    if (lower.startsWith(u + ':')) return { urn, rest: name.slice(u.length + 1) }
  }
  return { urn: undefined, rest: name }
}

export function findDef (defs: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  if (defs === undefined) return undefined
  const lower = name.toLowerCase()
  return defs.find((d) => d.name.toLowerCase() === lower)
}

export function findKey (obj: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase()
  return Object.keys(obj).find((k) => k.toLowerCase() === lower)
}

/** The definition for a canonical or written attribute name in any of the three schemas. */
export function anyDef (name: string): AttributeDef | undefined {
  return findDef(USER_ATTRIBUTES, name) ?? findDef(ENTERPRISE_ATTRIBUTES, name) ?? findDef(GROUP_ATTRIBUTES, name)
}

export function isPlainObject (v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Whether `schemas` (when present) names the given schema. */
export function schemasInclude (body: Record<string, unknown>, schema: string): boolean {
  const key = findKey(body, 'schemas')
  if (key === undefined) return true
  const schemas = body[key]
  return Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === schema.toLowerCase())
}
