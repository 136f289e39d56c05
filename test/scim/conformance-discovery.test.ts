/**
 * SCIM conformance, discovery (RFC 7644 §4, RFC 7643 §5–7) and authentication (RFC 7644 §2):
 * ServiceProviderConfig, ResourceTypes and Schemas (and each by id), every one needing the token;
 * no token, a wrong one or another scheme is a 401 in the Error schema with WWW-Authenticate,
 * answered from the headers alone (the body is never parsed); SCIM off means no /scim/v2 at all.
 */
import t, { type Test } from 'tap'
import { ENTERPRISE, ERROR, GROUP, isList, isScimError, newToken, startScim, USER, type Answer, type Body, type Method } from './conformance-helpers.js'
import { startHarness } from '../helpers/harness.js'
import { rawRequest } from '../security/raw-http.js'

const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'
const RT = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType'
const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema'

t.test('SCIM discovery and authentication', async (t) => {
  const s = await startScim(t)
  const { send } = s

  t.test('ServiceProviderConfig says what is supported', async (t) => {
    const res = await send('GET', '/ServiceProviderConfig')
    t.equal(res.status, 200)
    t.match(String(res.headers['content-type']), /^application\/scim\+json/)
    t.same(res.body['schemas'], [SPC])
    t.match(res.body, {
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: Number },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false }
    })
    const schemes = res.body['authenticationSchemes'] as Body[]
    t.ok(Array.isArray(schemes) && schemes.length > 0, 'authentication schemes listed')
    t.equal(schemes[0]?.['type'], 'oauthbearertoken')
    t.match((res.body['meta'] as Body)['location'], /\/scim\/v2\/ServiceProviderConfig$/)
  })

  t.test('ResourceTypes: User (with the enterprise extension) and Group', async (t) => {
    const types = isList(t, await send('GET', '/ResourceTypes'), 2, 'ResourceTypes')
    const byId = new Map(types.map((r) => [r['id'], r]))
    t.match(byId.get('User'), { schemas: [RT], name: 'User', endpoint: '/Users', schema: USER, schemaExtensions: [{ schema: ENTERPRISE, required: false }] })
    t.match(byId.get('Group'), { schemas: [RT], name: 'Group', endpoint: '/Groups', schema: GROUP })
    const user = await send('GET', '/ResourceTypes/User')
    t.equal(user.status, 200)
    t.same(user.body, byId.get('User'), 'by id')
    isScimError(t, await send('GET', '/ResourceTypes/Device'), 404, undefined, 'an unknown resource type')
  })

  t.test('Schemas: the three, each with its attributes, and by id', async (t) => {
    const schemas = isList(t, await send('GET', '/Schemas'), 3, 'Schemas')
    t.same(schemas.map((x) => x['id']).sort(), [ENTERPRISE, GROUP, USER].sort())
    for (const x of schemas) {
      t.same(x['schemas'], [SCHEMA], `${x['id'] as string}: the Schema schema`)
      t.ok(Array.isArray(x['attributes']) && (x['attributes'] as unknown[]).length > 0, `${x['id'] as string}: attributes`)
    }
    const user = await send('GET', `/Schemas/${USER}`)
    t.equal(user.status, 200)
    const attrs = user.body['attributes'] as Body[]
    const userName = attrs.find((a) => a['name'] === 'userName')
    t.match(userName, { type: 'string', required: true, caseExact: false, uniqueness: 'server', mutability: 'readWrite' }, 'userName as RFC 7643 §4.1.1 has it')
    t.match(attrs.find((a) => a['name'] === 'password'), { mutability: 'writeOnly', returned: 'never' }, 'password is never returned')
    t.match(attrs.find((a) => a['name'] === 'groups'), { mutability: 'readOnly', multiValued: true })
    const emails = attrs.find((a) => a['name'] === 'emails')
    t.ok(((emails?.['subAttributes'] as Body[] | undefined) ?? []).some((x) => x['name'] === 'type'), 'emails has sub-attributes')
    const ent = await send('GET', `/Schemas/${ENTERPRISE}`)
    t.ok((ent.body['attributes'] as Body[]).some((a) => a['name'] === 'manager'), 'the enterprise schema has the manager')
    const group = await send('GET', `/Schemas/${GROUP}`)
    t.ok((group.body['attributes'] as Body[]).some((a) => a['name'] === 'members'))
    isScimError(t, await send('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:Device'), 404, undefined, 'an unknown schema')
  })

  const unauthorized = (t: Test, res: Answer, what: string): void => {
    isScimError(t, res, 401, undefined, what)
    t.match(String(res.headers['www-authenticate']), /^Bearer\b/, `${what}: WWW-Authenticate names Bearer`)
    t.notMatch(res.raw, s.token, `${what}: the token is not echoed`)
  }

  t.test('every endpoint needs the token: none, a wrong one, Basic → 401 with WWW-Authenticate', async (t) => {
    const endpoints: Array<[Method, string, unknown?]> = [
      ['GET', '/ServiceProviderConfig'], ['GET', '/ResourceTypes'], ['GET', '/ResourceTypes/User'], ['GET', '/Schemas'], ['GET', `/Schemas/${USER}`],
      ['GET', '/Users'], ['GET', '/Users/2819c223-7f76-453a-919d-413861904646'], ['POST', '/Users', { schemas: [USER], userName: 'intruder@example.com' }],
      ['PUT', '/Users/2819c223-7f76-453a-919d-413861904646', { schemas: [USER], userName: 'intruder@example.com' }],
      ['PATCH', '/Users/2819c223-7f76-453a-919d-413861904646', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] }],
      ['DELETE', '/Users/2819c223-7f76-453a-919d-413861904646'],
      ['GET', '/Groups'], ['POST', '/Groups', { schemas: [GROUP], displayName: 'Intruders' }], ['DELETE', '/Groups/2819c223-7f76-453a-919d-413861904646']
    ]
    const wrong = newToken()
    const variants: Array<[string, Record<string, string>]> = [
      ['no token', { authorization: '' }],
      ['a wrong token', { authorization: `Bearer ${wrong}` }],
      ['the token as Basic', { authorization: `Basic ${Buffer.from(`scim:${s.token}`).toString('base64')}` }],
      ['the token without a scheme', { authorization: s.token }],
      ['the token in another header', { authorization: '', 'x-scim-token': s.token }]
    ]
    for (const [method, path, payload] of endpoints) {
      for (const [what, headers] of variants) unauthorized(t, await send(method, path, payload, headers), `${method} ${path}: ${what}`)
    }
    t.same(await s.h.app.scimStore.counts(), { users: 0, groups: 0, dirty: 0 }, 'nothing stored')
    const ok = await send('GET', '/ServiceProviderConfig', undefined, { authorization: `bearer ${s.token}` })
    t.equal(ok.status, 200, 'the scheme name is case-insensitive (RFC 7235)')
  })

  t.test('an unauthenticated body is never parsed', async (t) => {
    const none = { authorization: '' }
    unauthorized(t, await send('POST', '/Users', '{"schemas": [', none), 'invalid JSON')
    unauthorized(t, await send('POST', '/Users', '{"__proto__": {"polluted": true}}', none), 'a poisoned body')
    unauthorized(t, await send('POST', '/Users', `{"userName": "${'x'.repeat(2 * 1024 * 1024)}"}`, none), 'a body over the limit')
    unauthorized(t, await send('POST', '/Users', 'userName=x', { ...none, 'content-type': 'application/x-www-form-urlencoded' }), 'a wrong content type')
    t.equal(({} as Record<string, unknown>)['polluted'], undefined)
    // Over a socket: 1 MB announced and never sent. Only an answer from the headers alone arrives.
    await s.h.app.listen({ port: 0, host: '127.0.0.1' })
    const port = (s.h.app.server.address() as { port: number }).port
    const res = await rawRequest(port, { method: 'POST', path: '/scim/v2/Users', headers: [['content-type', 'application/scim+json'], ['content-length', '1000000']], contentLength: false })
    t.equal(res.status, 401, 'answered before the body')
    t.match(res.headers['www-authenticate'] ?? '', /^Bearer/)
    t.same((JSON.parse(res.body) as Body)['schemas'], [ERROR])
    t.same(await s.h.app.scimStore.counts(), { users: 0, groups: 0, dirty: 0 }, 'nothing stored')
  })

  t.test('unknown paths under /scim/v2 answer in the Error schema too', async (t) => {
    isScimError(t, await send('GET', '/Devices'), 404, undefined, 'an unknown endpoint')
    isScimError(t, await send('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }), 404, undefined, 'Bulk (not supported)')
    isScimError(t, await send('GET', '/Me'), 404, undefined, '/Me (not supported)')
    isScimError(t, await send('GET', '/Devices', undefined, { authorization: '' }), 404, undefined, 'an unknown endpoint without the token: no route, nothing to authenticate')
  })
})

t.test('SCIM off (no SCIM_TOKEN): /scim/v2 does not exist', async (t) => {
  const h = await startHarness(t, { role: 'api', oktaUsers: [] })
  for (const url of ['/scim/v2/ServiceProviderConfig', '/scim/v2/Users', '/scim/v2/Schemas']) {
    const res = await h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${newToken()}` } })
    t.equal(res.statusCode, 404, `${url}: 404`)
  }
  const post = await h.app.inject({ method: 'POST', url: '/scim/v2/Users', headers: { 'content-type': 'application/scim+json' }, payload: JSON.stringify({ schemas: [USER], userName: 'x@example.com' }) })
  t.equal(post.statusCode, 404)
  t.notOk(h.app.hasDecorator('scimStore'), 'no SCIM store at all')
})
