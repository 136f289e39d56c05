/**
 * The shapes that flow between the provider clients, the pure mapping and the Enerflo client.
 */

/** What Enerflo's "Update a User" takes, besides `id`. Absent means "not managed / unknown". */
export interface EnerfloUserFields {
  first_name?: string
  last_name?: string
  email?: string
  /** Ten digits, no punctuation. */
  phone?: string
  active?: boolean
  manager_email?: string
  /** Enerflo Role Names, sorted. */
  roles?: string[]
  /** Office ids; the first one is the primary office. */
  office_ids?: number[]
}

/** The body of `PUT /api/v3/users`. */
export interface EnerfloUpdateBody extends EnerfloUserFields {
  id: number
}

/** Why a value the provider has was not sent (phone not North American, extra offices …). */
export interface MappingNote {
  /** 'id' when the provider's identity attribute holds something that is not an Enerflo id. */
  field: keyof EnerfloUserFields | 'id'
  reason: string
}

export interface MappingResult {
  desired: EnerfloUserFields
  notes: MappingNote[]
  /** The Enerflo user id read from the provider's identity attribute, when it has one. */
  enerfloUserId?: number
}

/** An Okta user as `GET /api/v1/users/{id}` returns it (the parts we read). */
export interface OktaUser {
  id: string
  status: string
  profile: Record<string, unknown>
}

/** An Okta group as `GET /api/v1/users/{id}/groups` returns it (the parts we read). */
export interface OktaGroup {
  id: string
  type?: string
  profile: { name: string, description?: string | null }
}
