/**
 * Group memberships → Enerflo roles and offices, by group name, for any provider. Only mapped
 * groups count; a user in none of them keeps whatever roles and offices Enerflo has, because
 * stripping everything from someone is never what a missing mapping means.
 */
import type { Mapping } from './mapping-file.js'
import { MULTI_OFFICE_ROLE } from './roles.js'
import type { EnerfloUserFields, MappingNote } from './types.js'

export interface GroupMapping {
  fields: Pick<EnerfloUserFields, 'roles' | 'office_ids'>
  notes: MappingNote[]
}

/** Roles (a sorted union) and office ids (in the mapping file's order) for these group names. */
export function mapGroups (groupNames: Iterable<string>, mapping: Mapping): GroupMapping {
  const names = new Set(groupNames)
  const fields: GroupMapping['fields'] = {}
  const notes: MappingNote[] = []

  const roles = new Set<string>()
  for (const entry of mapping.roles) {
    if (names.has(entry.group)) for (const role of entry.roles) roles.add(role)
  }
  if (roles.size > 0) fields.roles = [...roles].sort()
  else notes.push({ field: 'roles', reason: 'in none of the mapped role groups; roles left as they are' })

  // The file's order, not the provider's, so the primary (first) office is deterministic.
  const offices: number[] = []
  for (const entry of mapping.offices) {
    if (names.has(entry.group) && !offices.includes(entry.officeId)) offices.push(entry.officeId)
  }
  const [primary, ...extra] = offices
  if (primary === undefined) {
    notes.push({ field: 'office_ids', reason: 'in none of the mapped office groups; offices left as they are' })
  } else if (extra.length > 0 && fields.roles?.includes(MULTI_OFFICE_ROLE) !== true) {
    // Enerflo applies offices after the first only to a Regional Manager.
    fields.office_ids = [primary]
    notes.push({
      field: 'office_ids',
      reason: `office ids ${extra.join(', ')} left out: only a ${MULTI_OFFICE_ROLE} gets more ` +
        `than one office; sent the first mapped office ${primary}`
    })
  } else {
    fields.office_ids = offices
  }
  return { fields, notes }
}
