/**
 * The schema definitions and the discovery resources built from them, and the SCIM error body.
 */
import t from 'tap'
import {
  ENTERPRISE_ATTRIBUTES, ENTERPRISE_SCHEMA, ERROR_SCHEMA, GROUP_ATTRIBUTES, GROUP_SCHEMA, LIST_SCHEMA, PATCH_SCHEMA, USER_ATTRIBUTES, USER_SCHEMA,
  resourceTypeResources, schemaResources, serviceProviderConfig, type AttributeDef
} from '../../src/scim/schema.js'
import { scimError } from '../../src/scim/problem.js'
import { sample } from './samples.js'

const byName = (defs: readonly AttributeDef[], name: string): AttributeDef => {
  const d = defs.find((a) => a.name === name)
  if (d === undefined) throw new Error(`no ${name}`)
  return d
}

t.test('the URNs', async (t) => {
  t.equal(USER_SCHEMA, 'urn:ietf:params:scim:schemas:core:2.0:User')
  t.equal(ENTERPRISE_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User')
  t.equal(GROUP_SCHEMA, 'urn:ietf:params:scim:schemas:core:2.0:Group')
  t.equal(PATCH_SCHEMA, 'urn:ietf:params:scim:api:messages:2.0:PatchOp')
  t.equal(LIST_SCHEMA, 'urn:ietf:params:scim:api:messages:2.0:ListResponse')
  t.equal(ERROR_SCHEMA, 'urn:ietf:params:scim:api:messages:2.0:Error')
})

t.test('the User attributes', async (t) => {
  t.strictSame(USER_ATTRIBUTES.map((a) => a.name), ['userName', 'externalId', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active', 'password', 'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'roles', 'entitlements', 'groups'])
  t.match(byName(USER_ATTRIBUTES, 'userName'), { required: true, uniqueness: 'server', caseExact: false, type: 'string', multiValued: false })
  t.match(byName(USER_ATTRIBUTES, 'externalId'), { caseExact: true })
  t.match(byName(USER_ATTRIBUTES, 'active'), { type: 'boolean' })
  t.match(byName(USER_ATTRIBUTES, 'password'), { mutability: 'writeOnly', returned: 'never' })
  t.match(byName(USER_ATTRIBUTES, 'groups'), { mutability: 'readOnly', multiValued: true })
  t.strictSame(byName(USER_ATTRIBUTES, 'groups').subAttributes?.map((s) => s.name), ['value', '$ref', 'display', 'type'])
  t.strictSame(byName(USER_ATTRIBUTES, 'name').subAttributes?.map((s) => s.name), ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'])
  for (const n of ['emails', 'phoneNumbers', 'ims', 'photos', 'roles', 'entitlements']) {
    const d = byName(USER_ATTRIBUTES, n)
    t.match(d, { type: 'complex', multiValued: true }, n)
    t.strictSame(d.subAttributes?.map((s) => s.name), ['value', 'display', 'type', 'primary'], n)
  }
  t.strictSame(byName(USER_ATTRIBUTES, 'addresses').subAttributes?.map((s) => s.name), ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type', 'primary'])
  t.strictSame(ENTERPRISE_ATTRIBUTES.map((a) => a.name), ['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager'])
  t.strictSame(byName(ENTERPRISE_ATTRIBUTES, 'manager').subAttributes?.map((s) => s.name), ['value', '$ref', 'displayName'])
  t.strictSame(GROUP_ATTRIBUTES.map((a) => a.name), ['displayName', 'externalId', 'members'])
  t.match(byName(GROUP_ATTRIBUTES, 'displayName'), { required: true })
  t.strictSame(byName(GROUP_ATTRIBUTES, 'members').subAttributes?.map((s) => s.name), ['value', '$ref', 'display', 'type'])
})

t.test('every definition has the RFC 7643 §7 members', async (t) => {
  const all = (defs: readonly AttributeDef[]): AttributeDef[] => defs.flatMap((d) => [d, ...all(d.subAttributes ?? [])])
  for (const d of all([...USER_ATTRIBUTES, ...ENTERPRISE_ATTRIBUTES, ...GROUP_ATTRIBUTES])) {
    t.ok(['string', 'boolean', 'complex', 'reference', 'dateTime', 'integer', 'decimal', 'binary'].includes(d.type), d.name)
    t.equal(typeof d.multiValued, 'boolean')
    t.equal(typeof d.required, 'boolean')
    t.equal(typeof d.caseExact, 'boolean')
    t.ok(d.description.length > 0, `${d.name} has a description`)
    t.equal(d.type === 'complex', d.subAttributes !== undefined, `${d.name}: sub-attributes exactly when complex`)
    if (d.type === 'reference') t.ok((d.referenceTypes ?? []).length > 0, `${d.name} has reference types`)
  }
})

t.test('the /Schemas resources', async (t) => {
  const resources = schemaResources('https://sync.example.com/scim/v2/')
  t.strictSame(resources.map((r) => r['id']), [USER_SCHEMA, ENTERPRISE_SCHEMA, GROUP_SCHEMA])
  for (const r of resources) {
    t.strictSame(r['schemas'], ['urn:ietf:params:scim:schemas:core:2.0:Schema'])
    t.strictSame(r['meta'], { resourceType: 'Schema', location: `https://sync.example.com/scim/v2/Schemas/${String(r['id'])}` })
    t.equal(typeof r['name'], 'string')
    t.equal(typeof r['description'], 'string')
  }
  t.equal(resources[0]?.['attributes'], USER_ATTRIBUTES)
  t.equal(resources[1]?.['attributes'], ENTERPRISE_ATTRIBUTES)
  t.equal(resources[2]?.['attributes'], GROUP_ATTRIBUTES)
  t.doesNotThrow(() => JSON.stringify(resources))
})

t.test('the /ResourceTypes resources', async (t) => {
  const [user, group] = resourceTypeResources('https://sync.example.com/scim/v2')
  t.match(user, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', schema: USER_SCHEMA, meta: { resourceType: 'ResourceType', location: 'https://sync.example.com/scim/v2/ResourceTypes/User' } })
  t.strictSame(user?.['schemaExtensions'], [{ schema: ENTERPRISE_SCHEMA, required: false }])
  t.match(group, { id: 'Group', name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA, meta: { location: 'https://sync.example.com/scim/v2/ResourceTypes/Group' } })
})

t.test('the /ServiceProviderConfig resource', async (t) => {
  const c = serviceProviderConfig('https://sync.example.com/scim/v2')
  t.strictSame(c['schemas'], ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'])
  t.strictSame(c['patch'], { supported: true })
  t.strictSame(c['bulk'], { supported: false, maxOperations: 0, maxPayloadSize: 0 })
  t.strictSame(c['filter'], { supported: true, maxResults: 200 })
  t.strictSame(c['changePassword'], { supported: false })
  t.strictSame(c['sort'], { supported: false })
  t.strictSame(c['etag'], { supported: false })
  t.match(c['authenticationSchemes'], [{ type: 'oauthbearertoken', primary: true }])
  t.strictSame(c['meta'], { resourceType: 'ServiceProviderConfig', location: 'https://sync.example.com/scim/v2/ServiceProviderConfig' })
})

t.test('the error body: status as a string (RFC 7644 §3.12)', async (t) => {
  t.strictSame(scimError({ status: 409, scimType: 'uniqueness', detail: 'User already exists in the database.' }), { schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness', detail: 'User already exists in the database.' })
  t.strictSame(scimError({ status: 404, detail: 'User not found' }), { schemas: [ERROR_SCHEMA], status: '404', detail: 'User not found' })
  t.notOk('scimType' in scimError({ status: 413, detail: 'x' }))
  // Okta's own samples carry the status as a number; ours is the RFC's string, same schema and detail.
  for (const [name, status] of [['scim-okta-error-404-not-found-response.json', 404], ['scim-okta-error-409-conflict-response.json', 409]] as const) {
    const okta = sample(name) as { schemas: string[], detail: string, status: number }
    t.equal(okta.status, status)
    const ours = scimError({ status, detail: okta.detail })
    t.strictSame(ours.schemas, okta.schemas, name)
    t.equal(ours.status, String(okta.status), name)
    t.equal(ours.detail, okta.detail)
  }
})
