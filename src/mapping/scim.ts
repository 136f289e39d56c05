/**
 * The SCIM adapter: a user as Okta or Entra pushed it to /scim/v2 (stored attributes, canonical
 * names, src/scim/user-body.ts), its manager's stored attributes and its group names → a
 * PersonData for the mapping core (core.ts), which applies the same rules as for Okta and Graph.
 */
import { mapDeletedPerson, mapPerson, type Labelled, type PersonData } from './core.js'
import type { Mapping } from './mapping-file.js'
import type { MappingResult } from './types.js'

type Attributes = Record<string, unknown>
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

interface MultiValue { value?: unknown, type?: unknown, primary?: unknown }

function values (attrs: Attributes, name: string): MultiValue[] {
  const list = attrs[name]
  return Array.isArray(list) ? list.filter((v): v is MultiValue => typeof v === 'object' && v !== null) : []
}

/** Candidates of a multi-valued attribute: the given types first (in that order), then primary, then the rest. */
function candidates (attrs: Attributes, name: string, types: readonly string[]): Labelled[] {
  const list = values(attrs, name)
  const out: Labelled[] = []
  const seen = new Set<MultiValue>()
  const take = (v: MultiValue, label: string): void => {
    if (seen.has(v)) return
    seen.add(v)
    out.push({ label, value: v.value })
  }
  for (const type of types) {
    for (const v of list) if (typeof v.type === 'string' && v.type.toLowerCase() === type) take(v, `${name}[type eq "${type}"].value`)
  }
  for (const v of list) if (v.primary === true) take(v, `${name}[primary eq true].value`)
  list.forEach((v, i) => { take(v, `${name}[${i}].value`) })
  return out
}

/** The work address of a stored SCIM user (the manager's too): work, else primary, else userName. */
export function scimEmail (attrs: Attributes): string | undefined {
  const [first] = candidates(attrs, 'emails', ['work'])
  const v = first?.value ?? attrs['userName']
  return typeof v === 'string' && v.includes('@') ? v : undefined
}

/** A core attribute by name, or an extension's by `urn:…:name`. */
function attributeValue (attrs: Attributes, path: string): unknown {
  if (path.startsWith(`${ENTERPRISE}:`)) {
    const ext = attrs[ENTERPRISE]
    return typeof ext === 'object' && ext !== null ? (ext as Attributes)[path.slice(ENTERPRISE.length + 1)] : undefined
  }
  return attrs[path]
}

/**
 * What a SCIM user says about the person, in the core's terms. `manager` is the manager's stored
 * user when the extension names one this server has (undefined when it names none, null when it
 * names one that was never pushed here).
 */
export function scimPerson (attrs: Attributes, manager: Attributes | null | undefined, groupNames: readonly string[], mapping: Mapping): PersonData {
  const name = typeof attrs['name'] === 'object' && attrs['name'] !== null ? attrs['name'] as Attributes : {}
  const active = attrs['active']
  const person: PersonData = {
    firstName: name['givenName'],
    lastName: name['familyName'],
    emails: [...candidates(attrs, 'emails', ['work']), { label: 'userName', value: attrs['userName'] }],
    // mobile first: it is what reps answer.
    phones: candidates(attrs, 'phoneNumbers', ['mobile', 'work']),
    // SCIM's `active` defaults to true: a provider that never sends it has an active user.
    status: { active: active !== false },
    groupNames
  }
  if (manager !== undefined) {
    person.manager = {
      label: 'manager',
      value: manager === null ? undefined : scimEmail(manager),
      unusable: manager === null ? 'the manager is not a user this SCIM server was sent' : 'the manager has no usable work email or userName'
    }
  }
  const idAttribute = mapping.identity.scim?.enerfloUserIdAttribute
  if (idAttribute !== undefined) person.enerfloUserId = { label: idAttribute, value: attributeValue(attrs, idAttribute) }
  return person
}

/** The desired Enerflo state for a SCIM user; `null` means the provider deleted it here. */
export function mapScimUser (attrs: Attributes | null, manager: Attributes | null | undefined, groupNames: readonly string[], mapping: Mapping): MappingResult {
  return attrs === null ? mapDeletedPerson('the SCIM store (deleted by the identity provider)') : mapPerson(scimPerson(attrs, manager, groupNames, mapping), mapping)
}
