/**
 * The bad-input corpus for /scim/v2 (issue 17): every class of bad SCIM request (wrong or missing
 * token, a body that is not JSON, not SCIM, prototype-poisoned, of the wrong type or too large, an
 * unknown attribute path, an unsupported filter, bad ids, bad paging, a PATCH with no Operations or
 * an unknown op), each with the status and RFC 7644 §3.12 scimType it must get, answered in SCIM's
 * Error schema. Cases run against one existing user and group (so a PATCH or PUT reaches its
 * body), made through the store with their dirty marks cleared, so no sync job exists; the test
 * then checks that every SCIM key is byte for byte as it was.
 */
import type { FastifyInstance, InjectOptions } from 'fastify'
import type { Test } from 'tap'
import type { Redis } from 'ioredis'
import { checkStatus, deepArray, deepObject, invalidUtf8, nextAddress, type Case, type Tally } from './corpus.js'
import { sameLengthWrong } from './bad-input-cases.js'
import type { RawRequest } from './raw-http.js'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const SCIM_LIMIT = 256 * 1024

export interface ScimCase extends Case {
  scimType?: string
}
export interface ScimWireCase extends Omit<ScimCase, 'headers' | 'payload'> { family: string, raw: RawRequest }

export interface ScimFixtures {
  token: string
  /** Other services' secrets, which must not open /scim/v2. */
  others: string[]
  userId: string
  userName: string
  groupId: string
}

/** One user and one group, stored without a sync job (their dirty marks cleared at once). */
export async function scimFixtures (app: FastifyInstance, token: string, others: string[]): Promise<ScimFixtures> {
  const userName = 'corpus.user@example.com'
  const attrs = { userName, active: true, emails: [{ value: userName, type: 'work', primary: true }] }
  const user = await app.scimStore.putUser(undefined, attrs, { userName, emails: [userName] })
  if (!user.ok) throw new Error(`fixture user: ${user.why}`)
  const group = await app.scimStore.writeGroup(undefined, { displayName: 'Corpus Group', add: [user.value.id], remove: [], replaceMembers: false })
  if (!group.ok) throw new Error(`fixture group: ${group.why}`)
  await app.scimStore.clean([{ id: user.value.id, seq: user.seq }, ...group.affected.map((id) => ({ id, seq: group.seq }))])
  return { token, others, userId: user.value.id, userName, groupId: group.value.id }
}

/** Every key under the SCIM base with its value, whatever its type. */
export async function scimSnapshot (redis: Redis, base: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${base}*`, 'COUNT', 1000)
    cursor = next
    for (const key of keys) {
      const type = await redis.type(key)
      if (type === 'string') out[key] = await redis.get(key)
      else if (type === 'hash') out[key] = await redis.hgetall(key)
      else if (type === 'set') out[key] = (await redis.smembers(key)).sort()
      else if (type === 'zset') out[key] = await redis.zrange(key, 0, -1, 'WITHSCORES')
      else out[key] = type
    }
  } while (cursor !== '0')
  return out
}

const SCIM_TYPE = { 'content-type': 'application/scim+json' }
const BIG = 'z'.repeat(9000)

/** The same request with the token wrong in every way: always 401 (WWW-Authenticate checked by the runner). */
function tokenCases (f: ScimFixtures, method: string, url: string, payload?: string): ScimCase[] {
  const c = (name: string, headers: Record<string, string | string[]>, at = url): ScimCase =>
    ({ name: `token: ${name}`, method, url: at, headers: { ...(payload !== undefined && SCIM_TYPE), ...headers }, ...(payload !== undefined && { payload }), status: 401 })
  const t = f.token
  return [
    c('none', {}),
    c('empty authorization', { authorization: '' }),
    c('"Bearer" alone', { authorization: 'Bearer' }),
    c('"Bearer " and nothing', { authorization: 'Bearer ' }),
    c('wrong, of the right length', { authorization: `Bearer ${sameLengthWrong(t)}` }),
    c('without a scheme', { authorization: t }),
    c('as Basic', { authorization: `Basic ${Buffer.from(`scim:${t}`).toString('base64')}` }),
    c('Token scheme', { authorization: `Token ${t}` }),
    c('a character added', { authorization: `Bearer ${t}x` }),
    c('truncated', { authorization: `Bearer ${t.slice(0, -1)}` }),
    c('upper-cased', { authorization: `Bearer ${t.toUpperCase() === t ? `X${t.slice(1)}` : t.toUpperCase()}` }),
    c('9,000 characters', { authorization: `Bearer ${BIG}` }),
    c('"Bearer null"', { authorization: 'Bearer null' }),
    c('in x-scim-token', { 'x-scim-token': t }),
    c('in a cookie', { cookie: `token=${t}` }),
    c('in the query', {}, `${url}${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(t)}`),
    c('wrong, then right (repeated header)', { authorization: ['Bearer nope', `Bearer ${t}`] }),
    ...f.others.map((other, i) => c(`another service's secret #${i + 1}`, { authorization: `Bearer ${other}` }))
  ]
}

/** Bodies that are not JSON, of the wrong type or too large: refused before any route code. */
function bodyCases (f: ScimFixtures, method: string, url: string, objectType: string): ScimCase[] {
  const auth = { authorization: `Bearer ${f.token}` }
  const bad = (name: string, payload: string | Buffer, status = 400, scimType: string | undefined = 'invalidSyntax'): ScimCase =>
    ({ name: `body: ${name}`, method, url, headers: { ...SCIM_TYPE, ...auth }, payload, status, ...(scimType !== undefined && { scimType }) })
  const typed = (name: string, type: string | undefined): ScimCase =>
    ({ name: `content type: ${name}`, method, url, status: 415, payload: '{"schemas":[]}', headers: { ...auth, ...(type !== undefined && { 'content-type': type }) } })
  return [
    bad('not JSON', 'hello, world'), bad('truncated', '{"schemas": ['), bad('truncated in a string', '{"userName": "abc'),
    bad('a lone brace', '{'), bad('empty', ''), bad('whitespace only', ' \r\n\t '), bad('comments', '{/* c */ "a": 1}'),
    bad('trailing comma', '{"a": 1,}'), bad('single quotes', "{'a': 1}"), bad('NaN', '{"a": NaN}'), bad('two documents', '{}{}'),
    bad('unquoted key', '{a: 1}'), bad('a control character in a string', '{"a": "x\u0001y"}'),
    bad('invalid UTF-8 outside strings', invalidUtf8('{BAD"a": 1}')),
    bad('UTF-16LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}', 'utf16le')])),
    bad('prototype-poisoned (__proto__)', '{"schemas": [], "__proto__": {"polluted": true}}'),
    bad('prototype-poisoned, nested', '{"name": {"__proto__": {"isAdmin": true}}}'),
    bad('constructor.prototype', '{"constructor": {"prototype": {"polluted": true}}}'),
    bad('JSON null', 'null'), bad('an array', '[]'), bad('a string', '"userName"'), bad('a number', '42'), bad('true', 'true'),
    bad('nested 10,000 arrays', deepArray(10_000)), bad('nested 10,000 objects (parsed: not a resource)', deepObject(10_000), 400, objectType),
    typed('text/plain', 'text/plain'), typed('none', undefined), typed('application/xml', 'application/xml'),
    typed('form encoded', 'application/x-www-form-urlencoded'), typed('multipart', 'multipart/form-data; boundary=x'),
    typed('text/csv (another route\'s)', 'text/csv'), typed('json-patch', 'application/json-patch+json'), typed('empty', ''),
    { name: `body: over the ${SCIM_LIMIT}-byte limit`, method, url, headers: { ...SCIM_TYPE, ...auth }, payload: `"${'x'.repeat(SCIM_LIMIT)}"`, status: 413 }
  ]
}

/** Ids that no SCIM resource has or can have: 404 in the Error schema. */
function idCases (f: ScimFixtures, method: string, base: '/scim/v2/Users' | '/scim/v2/Groups', payload?: string): ScimCase[] {
  const c = (name: string, id: string): ScimCase =>
    ({ name: `id: ${name}`, method, url: `${base}/${id}`, headers: { authorization: `Bearer ${f.token}`, ...(payload !== undefined && SCIM_TYPE) }, ...(payload !== undefined && { payload }), status: 404 })
  return [
    c('an email address', 'someone%40example.com'), c('an @', 'a@b'), c('encoded dots', '%2e%2e'), c('one encoded dot', '%2E'),
    c('an encoded slash', `${f.userId}%2F..`), c('a NUL', 'a%00b'), c('a space', 'a%20b'),
    c('right-to-left override', '00u%E2%80%AEevil'), c('an id nobody has', '2819c223-7f76-453a-919d-413861904646'),
    { ...c('201 characters', 'u'.repeat(201)), status: 414 },
    { ...c('a bad percent-escape', '%zz'), status: 400 }
  ]
}

const userBody = (over: Record<string, unknown>): string => JSON.stringify({ schemas: [USER], userName: 'corpus.new@example.com', ...over })
const patchBody = (...ops: unknown[]): string => JSON.stringify({ schemas: [PATCH], Operations: ops })

function postUserCases (f: ScimFixtures): ScimCase[] {
  const url = '/scim/v2/Users'
  const auth = { ...SCIM_TYPE, authorization: `Bearer ${f.token}` }
  const v = (name: string, payload: string, scimType = 'invalidValue', status = 400): ScimCase => ({ name, method: 'POST', url, headers: auth, payload, status, scimType })
  return [
    ...tokenCases(f, 'POST', url, userBody({})),
    ...bodyCases(f, 'POST', url, 'invalidValue'),
    v('{} (no userName)', '{}'),
    v('not a User (the Group schema)', JSON.stringify({ schemas: [GROUP], userName: 'x@example.com' }), 'invalidSyntax'),
    v('schemas is a string', JSON.stringify({ schemas: USER, userName: 'x@example.com' }), 'invalidSyntax'),
    v('schemas is empty', JSON.stringify({ schemas: [], userName: 'x@example.com' }), 'invalidSyntax'),
    v('userName is a number', userBody({ userName: 5 })), v('userName is empty', userBody({ userName: '' })),
    v('userName is null', userBody({ userName: null })), v('userName is an object', userBody({ userName: { value: 'x' } })),
    v('userName of 3,000 characters', userBody({ userName: 'u'.repeat(3000) })),
    v('emails is a string', userBody({ emails: 'x@example.com' })), v('an email is a number', userBody({ emails: [1] })),
    v('51 emails', userBody({ emails: Array.from({ length: 51 }, (_, i) => ({ value: `e${i}@example.com` })) })),
    v('two primary emails', userBody({ emails: [{ value: 'a@example.com', primary: true }, { value: 'b@example.com', primary: true }] })),
    v('an email value is a number', userBody({ emails: [{ value: 5 }] })),
    v('active is "maybe"', userBody({ active: 'maybe' })), v('active is 1', userBody({ active: 1 })),
    v('name is a string', userBody({ name: 'Jo Doe' })), v('givenName is an array', userBody({ name: { givenName: ['Jo'] } })),
    v('the enterprise extension is a string', userBody({ [ENTERPRISE]: 'Sales' })),
    v('manager is a number', userBody({ [ENTERPRISE]: { manager: 5 } })),
    v('the userName of an existing user', userBody({ userName: f.userName }), 'uniqueness', 409),
    v('the same userName in another case', userBody({ userName: f.userName.toUpperCase() }), 'uniqueness', 409)
  ]
}

const FILTERS: Array<[string, string]> = [
  ['or', 'userName eq "a" or userName eq "b"'], ['co', 'userName co "a"'], ['sw', 'userName sw "a"'], ['ew', 'userName ew "a"'],
  ['ne', 'userName ne "a"'], ['gt', 'userName gt "a"'], ['ge', 'userName ge "a"'], ['lt', 'userName lt "a"'], ['le', 'userName le "a"'], ['pr', 'userName pr'],
  ['not', 'not (userName eq "a")'], ['parentheses', '(userName eq "a")'], ['an unknown attribute', 'favouriteColour eq "red"'],
  ['an attribute not indexed', 'title eq "Rep"'], ['an unknown URN', 'urn:example:ext:attr eq "x"'], ['junk', 'junk'], ['empty', ''],
  ['no value', 'userName eq'], ['a number', 'userName eq 5'], ['null', 'userName eq null'], ['unterminated', 'userName eq "a'],
  ['a bad escape', 'userName eq "\\x"'], ['a trailing and', 'userName eq "a" and'], ['or inside brackets', 'emails[type eq "a" or type eq "b"].value eq "x"'],
  ['emails.display', 'emails.display eq "x"'], ['a dotted unknown', 'name.givenName eq "Jo"'], ['meta', 'meta.lastModified gt "2011-05-13T04:42:34Z"'],
  ['over 1,000 characters', `userName eq "${'a'.repeat(1000)}"`], ['10,000 brackets', '['.repeat(10_000)]
]

function getUserCases (f: ScimFixtures): ScimCase[] {
  const auth = { authorization: `Bearer ${f.token}` }
  const g = (name: string, query: string, scimType: string): ScimCase => ({ name, method: 'GET', url: `/scim/v2/Users?${query}`, headers: auth, status: 400, scimType })
  const filter = (text: string): string => `filter=${encodeURIComponent(text)}`
  return [
    ...tokenCases(f, 'GET', '/scim/v2/Users'),
    ...tokenCases(f, 'GET', `/scim/v2/Users/${f.userId}`).slice(0, 6),
    ...FILTERS.map(([name, text]) => g(`filter: ${name}`, filter(text), 'invalidFilter')),
    g('filter: given twice', `${filter('userName eq "a"')}&${filter('userName eq "b"')}`, 'invalidFilter'),
    ...['abc', '1.5', '1e3', '0x10', '+1', '9'.repeat(10), '1,2'].map((n) => g(`startIndex=${n.slice(0, 12)}`, `startIndex=${encodeURIComponent(n)}`, 'invalidValue')),
    ...['x', '2.5', '-1.0', '9'.repeat(400)].map((n) => g(`count=${n.slice(0, 12)}`, `count=${n}`, 'invalidValue')),
    g('startIndex given twice', 'startIndex=1&startIndex=2', 'invalidValue'), g('count given twice', 'count=1&count=2', 'invalidValue'),
    g('attributes given twice', 'attributes=userName&attributes=title', 'invalidValue'),
    g('excludedAttributes given twice', 'excludedAttributes=emails&excludedAttributes=title', 'invalidValue'),
    ...idCases(f, 'GET', '/scim/v2/Users')
  ]
}

function patchUserCases (f: ScimFixtures): ScimCase[] {
  const url = `/scim/v2/Users/${f.userId}`
  const auth = { ...SCIM_TYPE, authorization: `Bearer ${f.token}` }
  const p = (name: string, payload: string, scimType: string): ScimCase => ({ name, method: 'PATCH', url, headers: auth, payload, status: 400, scimType })
  const op = (name: string, scimType: string, ...ops: unknown[]): ScimCase => p(name, patchBody(...ops), scimType)
  return [
    ...tokenCases(f, 'PATCH', url, patchBody({ op: 'replace', path: 'active', value: false })),
    ...bodyCases(f, 'PATCH', url, 'invalidSyntax'),
    p('{} (no schemas)', '{}', 'invalidSyntax'),
    p('not the PatchOp schema', JSON.stringify({ schemas: [USER], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }), 'invalidSyntax'),
    p('no Operations', JSON.stringify({ schemas: [PATCH] }), 'invalidSyntax'),
    p('Operations empty', JSON.stringify({ schemas: [PATCH], Operations: [] }), 'invalidSyntax'),
    p('Operations an object', JSON.stringify({ schemas: [PATCH], Operations: { op: 'add' } }), 'invalidSyntax'),
    p('101 Operations', patchBody(...Array.from({ length: 101 }, () => ({ op: 'replace', path: 'title', value: 'x' }))), 'invalidSyntax'),
    op('an operation is null', 'invalidSyntax', null), op('no op', 'invalidSyntax', { path: 'title', value: 'x' }),
    op('an unknown op (move)', 'invalidSyntax', { op: 'move', path: 'title', value: 'x' }), op('op is a number', 'invalidSyntax', { op: 1, path: 'title', value: 'x' }),
    op('op "copy"', 'invalidSyntax', { op: 'copy', from: 'title', path: 'nickName' }), op('op "test"', 'invalidSyntax', { op: 'test', path: 'title', value: 'x' }),
    op('path is a number', 'invalidSyntax', { op: 'replace', path: 5, value: 'x' }), op('add without a value', 'invalidSyntax', { op: 'add', path: 'title' }),
    op('remove without a path', 'noTarget', { op: 'remove' }),
    op('an unknown attribute path', 'invalidPath', { op: 'replace', path: 'favouriteColour', value: 'red' }),
    op('an unknown sub-attribute', 'invalidPath', { op: 'replace', path: 'name.nickname', value: 'x' }),
    op('an unknown URN path', 'invalidPath', { op: 'replace', path: 'urn:example:ext:1.0:User:level', value: 'x' }),
    op('a Group attribute on a User', 'invalidPath', { op: 'add', path: `${GROUP}:members`, value: [{ value: f.userId }] }),
    op('an unknown enterprise attribute', 'invalidPath', { op: 'replace', path: `${ENTERPRISE}:salary`, value: '1' }),
    op('a filter on a single-valued attribute', 'invalidPath', { op: 'replace', path: 'title[value eq "x"]', value: 'y' }),
    op('an unsupported value filter', 'invalidPath', { op: 'replace', path: 'emails[value co "x"].value', value: 'y' }),
    op('an unterminated bracket', 'invalidPath', { op: 'replace', path: 'emails[type eq "work"', value: 'y' }),
    op('a filter on an unknown sub-attribute', 'invalidPath', { op: 'remove', path: 'emails[colour eq "red"]' }),
    op('a path of dots', 'invalidPath', { op: 'replace', path: '..', value: 'x' }),
    op('path-less, an unknown key', 'invalidPath', { op: 'replace', value: { favouriteColour: 'red' } }),
    op('path-less, a string value', 'invalidValue', { op: 'replace', value: 'x' }),
    op('path-less, an array value', 'invalidValue', { op: 'add', value: [{ title: 'x' }] }),
    op('id (set by the server)', 'mutability', { op: 'replace', path: 'id', value: 'x' }),
    op('meta (set by the server)', 'mutability', { op: 'replace', path: 'meta.created', value: 'x' }),
    op('groups (read-only)', 'mutability', { op: 'add', path: 'groups', value: [{ value: f.groupId }] }),
    op('remove the required userName', 'invalidValue', { op: 'remove', path: 'userName' }),
    op('active "maybe"', 'invalidValue', { op: 'replace', path: 'active', value: 'maybe' }),
    op('userName a number', 'invalidValue', { op: 'replace', path: 'userName', value: 5 }),
    op('a valid op then a bad one (nothing applies)', 'invalidPath', { op: 'replace', path: 'title', value: 'Changed' }, { op: 'replace', path: 'nope', value: 1 }),
    ...idCases(f, 'PATCH', '/scim/v2/Users', patchBody({ op: 'replace', path: 'title', value: 'x' }))
  ]
}

function putDeleteUserCases (f: ScimFixtures): ScimCase[] {
  const url = `/scim/v2/Users/${f.userId}`
  const auth = { ...SCIM_TYPE, authorization: `Bearer ${f.token}` }
  const v = (name: string, payload: string, scimType = 'invalidValue'): ScimCase => ({ name, method: 'PUT', url, headers: auth, payload, status: 400, scimType })
  return [
    ...tokenCases(f, 'PUT', url, userBody({ userName: f.userName })),
    ...tokenCases(f, 'DELETE', url),
    ...bodyCases(f, 'PUT', url, 'invalidValue').filter((_, i) => i % 2 === 0),
    v('PUT {} (no userName)', '{}'), v('PUT the Group schema', JSON.stringify({ schemas: [GROUP], displayName: 'x' }), 'invalidSyntax'),
    v('PUT userName a number', userBody({ userName: 7 })), v('PUT two primary emails', userBody({ userName: f.userName, emails: [{ value: 'a@x.example', primary: true }, { value: 'b@x.example', primary: true }] })),
    ...idCases(f, 'PUT', '/scim/v2/Users', userBody({ userName: 'ghost@example.com' })),
    ...idCases(f, 'DELETE', '/scim/v2/Users')
  ]
}

function groupCases (f: ScimFixtures): ScimCase[] {
  const url = `/scim/v2/Groups/${f.groupId}`
  const auth = { ...SCIM_TYPE, authorization: `Bearer ${f.token}` }
  const post = (name: string, body: unknown, scimType = 'invalidValue'): ScimCase => ({ name: `POST ${name}`, method: 'POST', url: '/scim/v2/Groups', headers: auth, payload: JSON.stringify(body), status: 400, scimType })
  const patch = (name: string, scimType: string, ...ops: unknown[]): ScimCase => ({ name: `PATCH ${name}`, method: 'PATCH', url, headers: auth, payload: patchBody(...ops), status: 400, scimType })
  const get = (name: string, query: string, scimType: string): ScimCase => ({ name: `GET ${name}`, method: 'GET', url: `/scim/v2/Groups?${query}`, headers: auth, status: 400, scimType })
  const group = (over: Record<string, unknown>): Record<string, unknown> => ({ schemas: [GROUP], displayName: 'Corpus New', ...over })
  return [
    ...tokenCases(f, 'POST', '/scim/v2/Groups', JSON.stringify(group({}))).slice(0, 8),
    ...tokenCases(f, 'PATCH', url, patchBody({ op: 'add', path: 'members', value: [{ value: f.userId }] })).slice(0, 8),
    ...bodyCases(f, 'POST', '/scim/v2/Groups', 'invalidValue').filter((_, i) => i % 3 === 0),
    post('no displayName', { schemas: [GROUP] }), post('displayName a number', group({ displayName: 5 })),
    post('the User schema', { schemas: [USER], displayName: 'x' }, 'invalidSyntax'),
    post('members a string', group({ members: 'x' })), post('a member without a value', group({ members: [{}] })),
    post('a member value a number', group({ members: [{ value: 5 }] })), post('a member id with an @', group({ members: [{ value: 'a@b.example' }] })),
    post('a member id of dots', group({ members: [{ value: '..' }] })),
    post('10,001 members', group({ members: Array.from({ length: 10_001 }, (_, i) => ({ value: `m${i}` })) }), 'tooMany'),
    patch('no Operations', 'invalidSyntax'), patch('an unknown op', 'invalidSyntax', { op: 'merge', path: 'members', value: [] }),
    patch('an unknown attribute path', 'invalidPath', { op: 'add', path: 'owners', value: [{ value: f.userId }] }),
    patch('a User attribute', 'invalidPath', { op: 'replace', path: `${USER}:userName`, value: 'x' }),
    patch('members filtered on display', 'invalidPath', { op: 'remove', path: 'members[display eq "x"]' }),
    patch('members filtered with or', 'invalidPath', { op: 'remove', path: `members[value eq "${f.userId}" or value eq "x"]` }),
    patch('add to members[value eq …]', 'invalidPath', { op: 'add', path: `members[value eq "${f.userId}"]`, value: [{ value: f.userId }] }),
    patch('members.value', 'invalidPath', { op: 'replace', path: 'members.value', value: 'x' }),
    patch('remove displayName', 'invalidValue', { op: 'remove', path: 'displayName' }),
    patch('a member id with an @', 'invalidValue', { op: 'add', path: 'members', value: [{ value: 'a@b.example' }] }),
    patch('path-less, an unknown key', 'invalidPath', { op: 'replace', value: { owner: 'x' } }),
    patch('path-less, a string', 'invalidValue', { op: 'replace', value: 'x' }),
    patch('id (set by the server)', 'mutability', { op: 'replace', path: 'id', value: 'x' }),
    get('filter co', `filter=${encodeURIComponent('displayName co "Corpus"')}`, 'invalidFilter'),
    get('filter or', `filter=${encodeURIComponent('displayName eq "a" or displayName eq "b"')}`, 'invalidFilter'),
    get('filter on members', `filter=${encodeURIComponent(`members eq "${f.userId}"`)}`, 'invalidFilter'),
    get('filter junk', 'filter=junk', 'invalidFilter'),
    get('excludedAttributes given twice', 'excludedAttributes=members&excludedAttributes=meta', 'invalidValue'),
    get('startIndex junk', 'startIndex=first', 'invalidValue'),
    ...idCases(f, 'GET', '/scim/v2/Groups').slice(0, 5),
    ...idCases(f, 'DELETE', '/scim/v2/Groups').slice(0, 5)
  ]
}

function discoveryCases (f: ScimFixtures): ScimCase[] {
  const auth = { authorization: `Bearer ${f.token}` }
  const endpoints = ['/scim/v2/ServiceProviderConfig', '/scim/v2/ResourceTypes', '/scim/v2/ResourceTypes/User', '/scim/v2/Schemas', `/scim/v2/Schemas/${USER}`]
  const nf = (name: string, url: string): ScimCase => ({ name, method: 'GET', url, headers: auth, status: 404 })
  return [
    ...endpoints.flatMap((url) => tokenCases(f, 'GET', url).slice(0, 8)),
    nf('an unknown resource type', '/scim/v2/ResourceTypes/Device'), nf('an unknown schema', '/scim/v2/Schemas/urn:example:nope'),
    nf('a resource type of dots', '/scim/v2/ResourceTypes/%2e%2e'), nf('Bulk (unsupported)', '/scim/v2/Bulk'), nf('/Me (unsupported)', '/scim/v2/Me')
  ]
}

export function scimFamilies (f: ScimFixtures): Array<[string, ScimCase[]]> {
  return [
    ['POST /scim/v2/Users', postUserCases(f)],
    ['GET /scim/v2/Users[/:id]', getUserCases(f)],
    ['PATCH /scim/v2/Users/:id', patchUserCases(f)],
    ['PUT, DELETE /scim/v2/Users/:id', putDeleteUserCases(f)],
    ['/scim/v2/Groups[/:id]', groupCases(f)],
    ['SCIM discovery', discoveryCases(f)]
  ]
}

/** Over a real socket: dot segments reach the router as sent, and a refusal needs no body. */
export function scimWireCases (f: ScimFixtures): ScimWireCase[] {
  const auth: [string, string] = ['authorization', `Bearer ${f.token}`]
  const json: [string, string] = ['content-type', 'application/scim+json']
  const w = (family: string, name: string, raw: RawRequest, status: number, extra: Partial<ScimWireCase> = {}): ScimWireCase =>
    ({ family, name, method: raw.method, url: raw.path, status, raw, ...extra })
  return [
    w('GET /scim/v2/Users[/:id]', 'an id of two dots', { method: 'GET', path: '/scim/v2/Users/..', headers: [auth] }, 404),
    w('GET /scim/v2/Users[/:id]', 'an id of one dot', { method: 'GET', path: '/scim/v2/Users/.', headers: [auth] }, 404),
    w('PUT, DELETE /scim/v2/Users/:id', 'DELETE an id of two dots', { method: 'DELETE', path: '/scim/v2/Users/..', headers: [auth] }, 404),
    w('PATCH /scim/v2/Users/:id', 'an id of two dots', { method: 'PATCH', path: '/scim/v2/Users/..', headers: [auth, json], body: patchBody({ op: 'replace', path: 'active', value: false }) }, 404),
    w('/scim/v2/Groups[/:id]', 'an id of two dots', { method: 'DELETE', path: '/scim/v2/Groups/..', headers: [auth] }, 404),
    w('POST /scim/v2/Users', 'no token, 1 MB announced, no body sent', { method: 'POST', path: '/scim/v2/Users', headers: [json, ['content-length', '1000000']], contentLength: false }, 401),
    w('POST /scim/v2/Users', 'a wrong token, 1 MB announced, no body sent', { method: 'POST', path: '/scim/v2/Users', headers: [json, ['authorization', `Bearer ${sameLengthWrong(f.token)}`], ['content-length', '1000000']], contentLength: false }, 401),
    w('POST /scim/v2/Users', 'the token, 10 MB announced', { method: 'POST', path: '/scim/v2/Users', headers: [json, auth, ['content-length', '10000000']], contentLength: false }, 413),
    w('POST /scim/v2/Users', 'invalid UTF-8 outside strings', { method: 'POST', path: '/scim/v2/Users', headers: [json, auth], body: invalidUtf8('{BAD"userName": "x@example.com"}') }, 400, { scimType: 'invalidSyntax' }),
    w('POST /scim/v2/Users', 'a repeated content type, text/plain first', { method: 'POST', path: '/scim/v2/Users', headers: [['content-type', 'text/plain'], json, auth], body: userBody({}) }, 415)
  ]
}

/** The answer is SCIM's: the status, the Error schema with the status as a string, the scimType, WWW-Authenticate on a 401. */
export function checkScimAnswer (t: Test, c: ScimCase, res: { statusCode: number, headers: Record<string, unknown>, body: string }, tally: Tally, via: string): void {
  const label = checkStatus(t, c, res, tally, via)
  if (res.statusCode < 400) return
  t.match(String(res.headers['content-type']), /^application\/scim\+json/, `${label}: application/scim+json`)
  let body: Record<string, unknown>
  try { body = JSON.parse(res.body) as Record<string, unknown> } catch { t.fail(`${label}: error body is not JSON: ${res.body.slice(0, 200)}`); return }
  t.same(body['schemas'], [ERROR], `${label}: the Error schema`)
  t.equal(body['status'], String(res.statusCode), `${label}: status as a string`)
  t.type(body['detail'], 'string', `${label}: a detail`)
  t.equal(body['scimType'], c.scimType, `${label}: scimType ${String(c.scimType)} (got ${String(body['scimType'])})`)
  if (res.statusCode === 401) t.match(String(res.headers['www-authenticate']), /^Bearer /, `${label}: WWW-Authenticate`)
}

export async function runScimCase (t: Test, app: FastifyInstance, c: ScimCase, tally: Tally): Promise<void> {
  const opts: InjectOptions = {
    method: c.method as NonNullable<InjectOptions['method']>,
    url: c.url,
    headers: c.headers ?? {},
    remoteAddress: nextAddress(),
    ...(c.payload !== undefined && { payload: c.payload })
  }
  const res = await app.inject(opts)
  checkScimAnswer(t, c, { statusCode: res.statusCode, headers: res.headers, body: res.body }, tally, 'inject')
}
