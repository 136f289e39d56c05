/**
 * The body of Enerflo's "Add a User" (POST /api/v1/users) for a provider user: required `email`,
 * `roles` (Role Names), `notify_email`, `allow_optimus`; the provider's id as `external_user_id`;
 * one office (`office_id`, the first of the mapping's order); a manager only for a Sales Rep.
 */
import type { EnerfloUserFields } from '../mapping/types.js'

export interface EnerfloNewUser {
  email: string
  roles: string[]
  notify_email: boolean
  allow_optimus: boolean
  first_name?: string
  last_name?: string
  phone?: string
  external_user_id: string
  manager_email?: string
  office_id?: number
}

export function newUserBody (d: EnerfloUserFields, userId: string, notifyEmail: boolean): EnerfloNewUser {
  const body: EnerfloNewUser = { email: d.email ?? '', roles: d.roles ?? [], notify_email: notifyEmail, allow_optimus: false, external_user_id: userId }
  if (d.first_name !== undefined) body.first_name = d.first_name
  if (d.last_name !== undefined) body.last_name = d.last_name
  if (d.phone !== undefined) body.phone = d.phone
  if (d.manager_email !== undefined && body.roles.includes('Sales Rep')) body.manager_email = d.manager_email
  const [office] = d.office_ids ?? []
  if (office !== undefined) body.office_id = office
  return body
}

