/**
 * The Graph (Entra ID) adapter: a Graph user, its manager and its group names → a PersonData for
 * the mapping core (core.ts), which applies the same rules as for Okta. Only what is Graph's own
 * lives here: property names, $select, and reading a property path.
 */
import { mapDeletedPerson, mapPerson, type ManagerData, type PersonData } from './core.js'
import type { Mapping } from './mapping-file.js'
import type { MappingResult } from './types.js'
import { textValue } from './values.js'

/** A Graph user as `GET /users/{id}?$select=…` returns it: only the selected properties. */
export type GraphUserData = { id: string } & Record<string, unknown>
export interface GraphManagerData { mail: string | null, userPrincipalName: string | null }

const BASE_SELECT = ['id', 'accountEnabled', 'givenName', 'surname', 'mail', 'userPrincipalName', 'mobilePhone', 'businessPhones']

/**
 * The properties to $select: Graph returns only a default set otherwise, and that set lacks
 * accountEnabled and the identity attribute. For `onPremisesExtensionAttributes.extensionAttribute3`
 * the whole complex property is selected (Graph cannot select inside it).
 */
export function graphSelect (mapping: Mapping): string[] {
  const attribute = mapping.identity.graph?.enerfloUserIdAttribute
  const top = attribute?.split('.')[0]
  return top === undefined || top === '' || BASE_SELECT.includes(top) ? BASE_SELECT : [...BASE_SELECT, top]
}

/** Reads `employeeId` or `onPremisesExtensionAttributes.extensionAttributeN` from a user. */
function attributeValue (user: Record<string, unknown>, path: string): unknown {
  let v: unknown = user
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined
    v = (v as Record<string, unknown>)[part]
  }
  return v
}

/**
 * The manager's address: mail when it holds anything, else userPrincipalName. Graph has told us
 * there is a manager, so an address we cannot use is noted whatever the reason.
 */
function managerData (manager: GraphManagerData): ManagerData {
  const hasMail = textValue(manager.mail) !== undefined
  return {
    label: hasMail ? 'manager.mail' : 'manager.userPrincipalName',
    value: hasMail ? manager.mail : manager.userPrincipalName,
    unusable: 'the manager has no usable mail or userPrincipalName'
  }
}

/** What a Graph user says about the person, in the core's terms. */
export function graphPerson (user: GraphUserData, manager: GraphManagerData | null, groupNames: readonly string[], mapping: Mapping): PersonData {
  const business = Array.isArray(user['businessPhones']) ? user['businessPhones'][0] as unknown : undefined
  const person: PersonData = {
    firstName: user['givenName'],
    lastName: user['surname'],
    emails: [{ label: 'mail', value: user['mail'] }, { label: 'userPrincipalName', value: user['userPrincipalName'] }],
    // mobilePhone first: it is what reps answer.
    phones: [{ label: 'mobilePhone', value: user['mobilePhone'] }, { label: 'businessPhones[0]', value: business }],
    // accountEnabled missing means we may not read it (permissions), not that the person left:
    // leave `active` alone rather than deactivate on a guess.
    status: typeof user['accountEnabled'] === 'boolean'
      ? { active: user['accountEnabled'] }
      : { note: 'accountEnabled not returned by Graph; active left as it is' },
    groupNames
  }
  if (manager !== null) person.manager = managerData(manager)
  const idAttribute = mapping.identity.graph?.enerfloUserIdAttribute
  if (idAttribute !== undefined) person.enerfloUserId = { label: idAttribute, value: attributeValue(user, idAttribute) }
  return person
}

/** The desired Enerflo state for a Graph user; `null` means Graph no longer has the user. */
export function mapGraphUser (user: GraphUserData | null, manager: GraphManagerData | null, groupNames: readonly string[], mapping: Mapping): MappingResult {
  return user === null ? mapDeletedPerson('Entra ID') : mapPerson(graphPerson(user, manager, groupNames, mapping), mapping)
}
