/**
 * The SCIM 2.0 schemas this server speaks (RFC 7643): the URNs, the attribute definitions of the
 * User, the enterprise User extension and the Group as this server stores them, and the discovery
 * resources built from them (`/Schemas`, `/ResourceTypes`, `/ServiceProviderConfig`). Pure data.
 */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema'
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType'
export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'

export type AttributeType = 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime' | 'integer' | 'decimal' | 'binary'
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly'
export type Returned = 'always' | 'never' | 'default' | 'request'
export type Uniqueness = 'none' | 'server' | 'global'

/** One attribute definition, in the RFC 7643 §7 representation. */
export interface AttributeDef {
  name: string
  type: AttributeType
  multiValued: boolean
  required: boolean
  caseExact: boolean
  mutability: Mutability
  returned: Returned
  uniqueness: Uniqueness
  description: string
  subAttributes?: readonly AttributeDef[]
  canonicalValues?: readonly string[]
  referenceTypes?: readonly string[]
}

type Extra = Partial<Omit<AttributeDef, 'name' | 'description'>>

function attr (name: string, description: string, extra: Extra = {}): AttributeDef {
  return { name, type: 'string', multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', description, ...extra }
}

function complex (name: string, description: string, subAttributes: readonly AttributeDef[], extra: Extra = {}): AttributeDef {
  return attr(name, description, { type: 'complex', subAttributes, ...extra })
}

const valueSub = (what: string): AttributeDef => attr('value', `The ${what}.`)
const displaySub = attr('display', 'A human-readable name, primarily used for display purposes.')
const primarySub = attr('primary', "A Boolean value indicating the 'primary' or preferred attribute value; true at most once.", { type: 'boolean' })
const typeSub = (canonicalValues: readonly string[]): AttributeDef => attr('type', "A label indicating the attribute's function.", canonicalValues.length > 0 ? { canonicalValues } : {})

function plural (name: string, description: string, what: string, types: readonly string[]): AttributeDef {
  return complex(name, description, [valueSub(what), displaySub, typeSub(types), primarySub], { multiValued: true })
}

const memberSubs = (mutability: Mutability): readonly AttributeDef[] => [
  attr('value', 'The identifier of the member.', { mutability }),
  attr('$ref', 'The URI of the member resource.', { type: 'reference', referenceTypes: ['User', 'Group'], mutability }),
  attr('display', 'A human-readable name of the member.', { mutability }),
  attr('type', 'The type of the member.', { canonicalValues: ['User', 'Group'], mutability })
]

export const USER_ATTRIBUTES: readonly AttributeDef[] = [
  attr('userName', 'Unique identifier for the User, typically used to sign in. Unique across the service provider, case-insensitive.', { required: true, uniqueness: 'server' }),
  attr('externalId', 'An identifier for the User as defined by the provisioning client.', { caseExact: true }),
  complex('name', "The components of the user's real name.", [
    attr('formatted', 'The full name, formatted for display.'),
    attr('familyName', 'The family name (last name).'),
    attr('givenName', 'The given name (first name).'),
    attr('middleName', 'The middle name(s).'),
    attr('honorificPrefix', 'The honorific prefix(es), e.g. "Ms.".'),
    attr('honorificSuffix', 'The honorific suffix(es), e.g. "III".')
  ]),
  attr('displayName', 'The name of the User, suitable for display to end-users.'),
  attr('nickName', 'The casual way to address the user.'),
  attr('profileUrl', "A fully qualified URL pointing to the user's online profile.", { type: 'reference', referenceTypes: ['external'] }),
  attr('title', "The user's title, such as \"Vice President\"."),
  attr('userType', 'The relationship between the organization and the user, e.g. "Employee".'),
  attr('preferredLanguage', "The user's preferred written or spoken language, e.g. \"en-US\"."),
  attr('locale', "The user's default location for localization, e.g. \"en-US\"."),
  attr('timezone', "The user's time zone in the IANA format, e.g. \"America/Phoenix\"."),
  attr('active', "The user's administrative status.", { type: 'boolean' }),
  attr('password', 'Accepted and never stored or returned.', { mutability: 'writeOnly', returned: 'never' }),
  plural('emails', 'Email addresses for the user.', 'email address', ['work', 'home', 'other']),
  plural('phoneNumbers', 'Phone numbers for the user.', 'phone number', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  plural('ims', 'Instant messaging addresses for the user.', 'instant messaging address', []),
  plural('photos', 'URLs of photos of the user.', 'URL of a photo', ['photo', 'thumbnail']),
  complex('addresses', 'Physical mailing addresses for this user.', [
    attr('formatted', 'The full mailing address, formatted for display.'),
    attr('streetAddress', 'The full street address.'),
    attr('locality', 'The city or locality.'),
    attr('region', 'The state or region.'),
    attr('postalCode', 'The zip code or postal code.'),
    attr('country', 'The country name (ISO 3166-1 alpha-2).'),
    typeSub(['work', 'home', 'other']),
    primarySub
  ], { multiValued: true }),
  plural('roles', 'Roles for the user.', 'role', []),
  plural('entitlements', 'Entitlements for the user.', 'entitlement', []),
  complex('groups', 'The groups the user belongs to, kept by the service provider.', memberSubs('readOnly'), { multiValued: true, mutability: 'readOnly' })
]

export const ENTERPRISE_ATTRIBUTES: readonly AttributeDef[] = [
  attr('employeeNumber', 'A string identifier, typically numeric or alphanumeric, assigned to a person.'),
  attr('costCenter', 'Identifies the name of a cost center.'),
  attr('organization', 'Identifies the name of an organization.'),
  attr('division', 'Identifies the name of a division.'),
  attr('department', 'Identifies the name of a department.'),
  complex('manager', "The user's manager.", [
    attr('value', 'The id of the SCIM resource representing the manager.'),
    attr('$ref', 'The URI of the SCIM resource representing the manager.', { type: 'reference', referenceTypes: ['User'] }),
    attr('displayName', 'The displayName of the manager.', { mutability: 'readOnly' })
  ])
]

export const GROUP_ATTRIBUTES: readonly AttributeDef[] = [
  attr('displayName', 'A human-readable name for the Group.', { required: true }),
  attr('externalId', 'An identifier for the Group as defined by the provisioning client.', { caseExact: true }),
  complex('members', 'A list of members of the Group.', memberSubs('immutable'), { multiValued: true })
]

const trim = (baseUrl: string): string => baseUrl.replace(/\/+$/, '')

function schemaResource (base: string, id: string, name: string, description: string, attributes: readonly AttributeDef[]): Record<string, unknown> {
  return { schemas: [SCHEMA_SCHEMA], id, name, description, attributes, meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` } }
}

/** The `/Schemas` resources (RFC 7643 §7). */
export function schemaResources (baseUrl: string): Array<Record<string, unknown>> {
  const base = trim(baseUrl)
  return [
    schemaResource(base, USER_SCHEMA, 'User', 'User Account', USER_ATTRIBUTES),
    schemaResource(base, ENTERPRISE_SCHEMA, 'EnterpriseUser', 'Enterprise User', ENTERPRISE_ATTRIBUTES),
    schemaResource(base, GROUP_SCHEMA, 'Group', 'Group', GROUP_ATTRIBUTES)
  ]
}

/** The `/ResourceTypes` resources (RFC 7643 §6). */
export function resourceTypeResources (baseUrl: string): Array<Record<string, unknown>> {
  const base = trim(baseUrl)
  const meta = (id: string): Record<string, string> => ({ resourceType: 'ResourceType', location: `${base}/ResourceTypes/${id}` })
  return [
    { schemas: [RESOURCE_TYPE_SCHEMA], id: 'User', name: 'User', endpoint: '/Users', description: 'User Account', schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }], meta: meta('User') },
    { schemas: [RESOURCE_TYPE_SCHEMA], id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Group', schema: GROUP_SCHEMA, schemaExtensions: [], meta: meta('Group') }
  ]
}

/** The `/ServiceProviderConfig` resource (RFC 7643 §5). */
export function serviceProviderConfig (baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'Authentication with a bearer token in the Authorization header', primary: true }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${trim(baseUrl)}/ServiceProviderConfig` }
  }
}
