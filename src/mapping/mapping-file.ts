/**
 * The mapping file (DESIGN.md §3): which provider groups give which Enerflo roles and offices,
 * and which provider attributes carry the Enerflo user id and the manager's email. It is read
 * once at start; every problem in it is reported together so an operator fixes the file in one go.
 */
import { readFile } from 'node:fs/promises'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { SyncError } from '../errors.js'
import { DEFAULT_ROLE_NAMES, describeUnknownRole } from './roles.js'
import { roleSlugProblems } from '../enerflo/roles.js'

const Attribute = Type.String({ minLength: 1 })
const GroupName = Type.String({ minLength: 1 })

// additionalProperties: false everywhere: a misspelt key (say `managerEmailAtribute`) would
// otherwise switch a feature off without a word.
export const MappingSchema = Type.Object({
  identity: Type.Object({
    okta: Type.Optional(Type.Object({
      enerfloUserIdAttribute: Type.Optional(Attribute),
      managerEmailAttribute: Type.Optional(Attribute)
    }, { additionalProperties: false })),
    graph: Type.Optional(Type.Object({
      enerfloUserIdAttribute: Type.Optional(Attribute)
    }, { additionalProperties: false })),
    // A SCIM attribute: a core one by name ("externalId") or an extension one by its URN and name
    // ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber").
    scim: Type.Optional(Type.Object({
      enerfloUserIdAttribute: Type.Optional(Attribute)
    }, { additionalProperties: false }))
  }, { additionalProperties: false }),
  roles: Type.Array(Type.Object({
    group: GroupName,
    roles: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })
  }, { additionalProperties: false })),
  // officeId's range is checked below, with a message that says what an office id is.
  offices: Type.Array(Type.Object({
    group: GroupName,
    officeId: Type.Number()
  }, { additionalProperties: false })),
  knownRoles: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  // Slug → Role Name over the defaults of src/enerflo/roles.ts, for a tenant whose names differ.
  roleSlugs: Type.Optional(Type.Record(Type.String(), Type.String({ minLength: 1 })))
}, { additionalProperties: false })

export type Mapping = Static<typeof MappingSchema>

export type ParseMappingResult = { ok: true, mapping: Mapping } | { ok: false, problems: string[] }

const INT32_MAX = 2147483647

/**
 * Checks a parsed mapping file and lists every problem rather than stopping at the first: the
 * role, duplicate and office checks also run over the parts that pass when another part fails.
 */
export function parseMapping (json: unknown): ParseMappingResult {
  const problems = schemaProblems(json)
  const file = isRecord(json) ? json : {}
  const roles = entries(file['roles'])
  const offices = entries(file['offices'])
  const knownRoles = file['knownRoles']
  const slugs = isRecord(file['roleSlugs']) ? file['roleSlugs'] : {}
  // A name the file gives a slug is a Role Name of this tenant, so roles may use it.
  const known = [...new Set([
    ...Array.isArray(knownRoles) && knownRoles.length > 0 && knownRoles.every(isText) ? knownRoles : DEFAULT_ROLE_NAMES,
    ...Object.values(slugs).filter(isText)
  ])]
  problems.push(...roleSlugProblems(slugs))

  roles.forEach((entry, i) => {
    const names: unknown = entry['roles']
    if (!Array.isArray(names)) return
    names.forEach((role: unknown, j) => {
      if (typeof role === 'string' && role !== '' && !known.includes(role)) {
        problems.push(`/roles/${i}/roles/${j}: ${describeUnknownRole(role, known)}`)
      }
    })
  })
  problems.push(...duplicateGroups('roles', roles), ...duplicateGroups('offices', offices))
  offices.forEach((entry, i) => {
    const id = entry['officeId']
    if (typeof id === 'number' && !(Number.isInteger(id) && id >= 1 && id <= INT32_MAX)) {
      problems.push(`/offices/${i}/officeId: ${id} is not an Enerflo office id ` +
        `(a whole number from 1 to ${INT32_MAX})`)
    }
  })
  return problems.length > 0 ? { ok: false, problems } : { ok: true, mapping: json as Mapping }
}

function schemaProblems (json: unknown): string[] {
  const missing = new Set<string>()
  const problems: string[] = []
  for (const e of Value.Errors(MappingSchema, json)) {
    // A missing key also fails its type check; say it once.
    if (missing.has(e.path)) continue
    if (e.message === 'Expected required property') {
      missing.add(e.path)
      problems.push(`${e.path}: required but missing`)
    } else {
      problems.push(`${e.path === '' ? '(top level)' : e.path}: ${e.message}`)
    }
  }
  return problems
}

function isRecord (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isText (v: unknown): v is string {
  return typeof v === 'string' && v !== ''
}

/** The elements of an array that are objects (others are already schema problems). */
function entries (v: unknown): Array<Record<string, unknown>> {
  return Array.isArray(v) ? v.map((e: unknown) => isRecord(e) ? e : {}) : []
}

function duplicateGroups (section: string, list: Array<Record<string, unknown>>): string[] {
  const firstIndex = new Map<string, number>()
  const problems: string[] = []
  list.forEach(({ group }, i) => {
    if (!isText(group)) return
    const first = firstIndex.get(group)
    if (first === undefined) firstIndex.set(group, i)
    else {
      problems.push(`/${section}/${i}/group: group ${JSON.stringify(group)} is already mapped ` +
        `at /${section}/${first}; merge the two entries`)
    }
  })
  return problems
}

/**
 * Reads and checks the mapping file. Throws one MAPPING_INVALID error whose message lists every
 * problem, one per line, so the service refuses to start with a file it would misapply.
 */
export async function loadMappingFile (path: string): Promise<Mapping> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw invalid(path, [`cannot read the file: ${(err as Error).message}`], err)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw invalid(path, [`not valid JSON: ${(err as Error).message}`], err)
  }
  const result = parseMapping(json)
  if (!result.ok) throw invalid(path, result.problems)
  return result.mapping
}

function invalid (path: string, problems: string[], cause?: unknown): SyncError {
  const message = `mapping file ${path} is invalid:\n` + problems.map((p) => `  - ${p}`).join('\n')
  return new SyncError('MAPPING_INVALID', message, 500, { cause })
}
