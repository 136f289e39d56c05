/**
 * A SCIM User body (POST, PUT) read into the stored attributes, and the few readings of them the
 * mapper needs (work email, phones, active, manager). Names are matched case-insensitively and
 * stored canonically; the enterprise extension sits under its URN. `id`, `meta`, `schemas` and
 * `groups` are the server's, so ignored; `password` is dropped and never stored.
 */
import { badRequest, type ScimProblem } from './problem.js'
import { ENTERPRISE_ATTRIBUTES, ENTERPRISE_SCHEMA, USER_ATTRIBUTES, USER_SCHEMA, type AttributeDef } from './schema.js'
import { findDef, isPlainObject, schemasInclude, splitUrn } from './names.js'
import { coerce } from './values.js'

export { applyUserPatch } from './user-patch.js'

/** Stored attributes under canonical names; the enterprise extension as an object under ENTERPRISE_SCHEMA. */
export type UserAttributes = Record<string, unknown>

type Read = { ok: true, attrs: UserAttributes } | { ok: false, problem: ScimProblem }

/** Attributes a client never sets: the server keeps them (readOnly) or never stores them (password). */
export const isStored = (def: AttributeDef): boolean => def.mutability !== 'readOnly' && def.returned !== 'never'

function put (target: Record<string, unknown>, def: AttributeDef | undefined, raw: unknown, where: string): ScimProblem | undefined {
  if (def === undefined || !isStored(def)) return undefined
  const c = coerce(def, raw, where)
  if (!c.ok) return c.problem
  if (c.value === undefined) delete target[def.name]
  else target[def.name] = c.value
  return undefined
}

function readExtension (ext: Record<string, unknown>, raw: unknown): ScimProblem | undefined {
  if (raw === null || raw === undefined) return undefined
  if (!isPlainObject(raw)) return { status: 400, scimType: 'invalidValue', detail: `${ENTERPRISE_SCHEMA} must be an object` }
  for (const [key, value] of Object.entries(raw)) {
    const problem = put(ext, findDef(ENTERPRISE_ATTRIBUTES, key), value, key)
    if (problem !== undefined) return problem
  }
  return undefined
}

export function readUserBody (body: unknown): Read {
  if (!isPlainObject(body)) return badRequest('invalidSyntax', 'the body must be a JSON object')
  if (!schemasInclude(body, USER_SCHEMA)) return badRequest('invalidSyntax', `not a SCIM User: schemas must include ${USER_SCHEMA}`)
  const attrs: UserAttributes = {}
  const ext: Record<string, unknown> = {}
  for (const [key, raw] of Object.entries(body)) {
    const { urn, rest } = splitUrn(key)
    let problem: ScimProblem | undefined
    if (urn === ENTERPRISE_SCHEMA) problem = rest === '' ? readExtension(ext, raw) : put(ext, findDef(ENTERPRISE_ATTRIBUTES, rest), raw, rest)
    else if (urn === USER_SCHEMA || urn === undefined) problem = put(attrs, findDef(USER_ATTRIBUTES, rest), raw, rest)
    if (problem !== undefined) return { ok: false, problem }
  }
  if (typeof attrs['userName'] !== 'string') return badRequest('invalidValue', 'userName is required and must be a non-empty string')
  if (Object.keys(ext).length > 0) attrs[ENTERPRISE_SCHEMA] = ext
  return { ok: true, attrs }
}

type Element = Record<string, unknown>

function elements (attrs: UserAttributes, name: string): Element[] {
  const v = attrs[name]
  return Array.isArray(v) ? v.filter(isPlainObject) : []
}

const valueOf = (el: Element): string | undefined => typeof el['value'] === 'string' && el['value'] !== '' ? el['value'] : undefined
const typeOf = (el: Element): string | undefined => typeof el['type'] === 'string' ? el['type'] : undefined

/** The work email, else the primary one, else the first. */
export function workEmail (attrs: UserAttributes): string | undefined {
  const emails = elements(attrs, 'emails').filter((e) => valueOf(e) !== undefined)
  const pick = emails.find((e) => typeOf(e)?.toLowerCase() === 'work') ?? emails.find((e) => e['primary'] === true) ?? emails[0]
  return pick === undefined ? undefined : valueOf(pick)
}

/** Every email value, in the order stored. */
export function userEmails (attrs: UserAttributes): string[] {
  return elements(attrs, 'emails').flatMap((e) => valueOf(e) ?? [])
}

export function phones (attrs: UserAttributes): Array<{ type?: string, value: string }> {
  return elements(attrs, 'phoneNumbers').flatMap((e) => {
    const value = valueOf(e)
    if (value === undefined) return []
    const type = typeOf(e)
    return type === undefined ? [{ value }] : [{ type, value }]
  })
}

/** `active` as stored; a user without it is active. */
export function isActive (attrs: UserAttributes): boolean {
  return attrs['active'] !== false
}

/** The SCIM id of the manager (enterprise extension `manager.value`). */
export function managerId (attrs: UserAttributes): string | undefined {
  const ext = attrs[ENTERPRISE_SCHEMA]
  if (!isPlainObject(ext)) return undefined
  const manager = ext['manager']
  return isPlainObject(manager) && typeof manager['value'] === 'string' && manager['value'] !== '' ? manager['value'] : undefined
}
