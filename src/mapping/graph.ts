/**
 * A Graph (Entra ID) user, its manager and its group names → the Enerflo state it should have.
 * Pure, and the same rules as Okta (src/mapping/okta.ts): a person looks the same in Enerflo
 * whichever provider they come from.
 */
import { mapGroups } from './groups.js'
import type { Mapping } from './mapping-file.js'
import { normalisePhone } from './phone.js'
import type { EnerfloUserFields, MappingNote, MappingResult } from './types.js'
import { emailValue, enerfloUserIdValue, textValue } from './values.js'

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

/** The desired Enerflo state for a Graph user; `null` means Graph no longer has the user. */
export function mapGraphUser (user: GraphUserData | null, manager: GraphManagerData | null, groupNames: readonly string[], mapping: Mapping): MappingResult {
  if (user === null) {
    return { desired: { active: false }, notes: [{ field: 'active', reason: 'the user no longer exists in Entra ID; deactivated' }] }
  }
  const desired: EnerfloUserFields = {}
  const notes: MappingNote[] = []

  const firstName = textValue(user['givenName'])
  if (firstName !== undefined) desired.first_name = firstName
  const lastName = textValue(user['surname'])
  if (lastName !== undefined) desired.last_name = lastName

  const mail = emailValue(user['mail'])
  const upn = emailValue(user['userPrincipalName'])
  if (mail !== undefined && 'email' in mail) desired.email = mail.email
  else if (upn !== undefined && 'email' in upn) desired.email = upn.email
  else if (mail !== undefined) notes.push({ field: 'email', reason: `mail: ${mail.reason}` })

  mapPhone(user, desired, notes)

  if (manager !== null) {
    const m = emailValue(manager.mail) ?? emailValue(manager.userPrincipalName)
    if (m !== undefined && 'email' in m) desired.manager_email = m.email
    else notes.push({ field: 'manager_email', reason: 'the manager has no usable mail or userPrincipalName' })
  }

  // accountEnabled missing means we may not read it (permissions), not that the person left:
  // leave `active` alone rather than deactivate on a guess.
  if (typeof user['accountEnabled'] === 'boolean') desired.active = user['accountEnabled']
  else notes.push({ field: 'active', reason: 'accountEnabled not returned by Graph; active left as it is' })

  const mapped = mapGroups(groupNames, mapping)
  Object.assign(desired, mapped.fields)
  notes.push(...mapped.notes)

  const result: MappingResult = { desired, notes }
  const idAttribute = mapping.identity.graph?.enerfloUserIdAttribute
  if (idAttribute !== undefined) {
    const id = enerfloUserIdValue(attributeValue(user, idAttribute))
    if (id !== undefined && 'id' in id) result.enerfloUserId = id.id
    else if (id !== undefined) notes.push({ field: 'id', reason: `${idAttribute}: ${id.reason}` })
  }
  return result
}

/** mobilePhone first (what reps answer), then the first business phone. */
function mapPhone (user: Record<string, unknown>, desired: EnerfloUserFields, notes: MappingNote[]): void {
  const business = Array.isArray(user['businessPhones']) ? user['businessPhones'][0] as unknown : undefined
  const refused: string[] = []
  for (const [name, value] of [['mobilePhone', user['mobilePhone']], ['businessPhones[0]', business]] as const) {
    const phone = normalisePhone(value)
    if (phone === undefined) continue
    if ('phone' in phone) {
      desired.phone = phone.phone
      break
    }
    refused.push(`${name}: ${phone.reason}`)
  }
  if (refused.length > 0) {
    const outcome = desired.phone === undefined ? 'phone left out' : 'used the next phone attribute'
    notes.push({ field: 'phone', reason: `${refused.join('; ')}; ${outcome}` })
  }
}
