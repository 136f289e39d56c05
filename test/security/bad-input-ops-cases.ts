/**
 * The corpus for the operator routes: every route gets the same two dozen token variants, wrong
 * methods and path variants, then hostile queries, params and bodies of its own sent with the
 * right token, so they reach validation.
 */
import { deepArray, invalidUtf8, JSON_TYPE, jsonBodyCases, OVER_LIMIT, type Case } from './corpus.js'
import { sameLengthWrong, type Secrets } from './bad-input-cases.js'

export interface OpsRoute { family: string, method: string, url: string, payload?: string }

export const OPS_ROUTES: OpsRoute[] = [
  { family: 'GET /status', method: 'GET', url: '/status' },
  { family: 'GET /ops/failed', method: 'GET', url: '/ops/failed' },
  { family: 'POST /ops/failed/retry', method: 'POST', url: '/ops/failed/retry', payload: '{"code": "ENERFLO_REJECTED"}' },
  { family: 'POST /ops/failed/discard', method: 'POST', url: '/ops/failed/discard', payload: '{"source": "okta"}' },
  { family: 'GET /ops/unresolved', method: 'GET', url: '/ops/unresolved' },
  { family: 'PUT /ops/links/:source/:idpUserId', method: 'PUT', url: '/ops/links/okta/00urep', payload: '{"enerfloUserId": 502}' },
  { family: 'DELETE /ops/links/:source/:idpUserId', method: 'DELETE', url: '/ops/links/okta/00urep' },
  { family: 'POST /ops/links/import', method: 'POST', url: '/ops/links/import', payload: '[{"source": "okta", "idpUserId": "00urep", "enerfloUserId": 502}]' },
  { family: 'GET /ops/users/:source/:idpUserId', method: 'GET', url: '/ops/users/okta/00urep' },
  { family: 'GET /ops/preview/:source/:idpUserId', method: 'GET', url: '/ops/preview/okta/00urep' }
]

const BIG = 'y'.repeat(9000)

/** The same request with a wrong token in every shape we could think of: always 401. */
function tokenCases (r: OpsRoute, s: Secrets): Case[] {
  const body = r.payload === undefined ? {} : { payload: r.payload }
  const type = r.payload === undefined ? {} : JSON_TYPE
  const c = (name: string, headers: Record<string, string | string[]>, url = r.url): Case =>
    ({ name, method: r.method, url, headers: { ...type, ...headers }, ...body, status: 401, code: 'OPS_AUTH' })
  const t = s.opsToken
  return [
    c('no token', {}),
    c('empty authorization', { authorization: '' }),
    c('"Bearer" alone', { authorization: 'Bearer' }),
    c('"Bearer " and nothing', { authorization: 'Bearer ' }),
    c('a wrong token of the right length', { authorization: `Bearer ${sameLengthWrong(t)}` }),
    c('the token without Bearer', { authorization: t }),
    c('Bearer with two spaces', { authorization: `Bearer  ${t}` }),
    c('the token with a character added', { authorization: `Bearer ${t}x` }),
    c('the token truncated', { authorization: `Bearer ${t.slice(0, -1)}` }),
    c('the token with its last character changed', { authorization: `Bearer ${t.slice(0, -1)}${t.endsWith('a') ? 'b' : 'a'}` }),
    c('the token upper-cased', { authorization: `Bearer ${t.toUpperCase() === t ? `X${t.slice(1)}` : t.toUpperCase()}` }),
    c('Basic with the token', { authorization: `Basic ${Buffer.from(`ops:${t}`).toString('base64')}` }),
    c('Token scheme', { authorization: `Token ${t}` }),
    c('the Okta webhook secret', { authorization: `Bearer ${s.webhookSecret}` }),
    c('the Graph client state', { authorization: `Bearer ${s.clientState}` }),
    c('the Enerflo API key', { authorization: `Bearer ${s.apiKey}` }),
    c('a 9,000-character token', { authorization: `Bearer ${BIG}` }),
    c('"Bearer null"', { authorization: 'Bearer null' }),
    c('"Bearer undefined"', { authorization: 'Bearer undefined' }),
    c('the token in x-ops-token', { 'x-ops-token': t }),
    c('the token in a cookie', { cookie: `token=${t}` }),
    c('the token in the query', {}, `${r.url}?token=${encodeURIComponent(t)}`),
    c('a wrong token, then the right one (repeated header)', { authorization: ['Bearer nope', `Bearer ${t}`] })
  ]
}

/** Methods the route does not have, and paths next to it: 404 with the usual shape. */
function routingCases (r: OpsRoute, s: Secrets): Case[] {
  const auth = { authorization: `Bearer ${s.opsToken}` }
  const others = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].filter((m) => m !== r.method && !(r.url.startsWith('/ops/links/okta') && (m === 'PUT' || m === 'DELETE')))
  const nf = (name: string, method: string, url: string): Case =>
    ({ name, method, url, headers: { ...auth, ...(method !== 'GET' && method !== 'DELETE' && { ...JSON_TYPE }) }, ...(method !== 'GET' && method !== 'DELETE' && { payload: r.payload ?? '{}' }), status: 404, code: 'NOT_FOUND' })
  return [
    ...others.map((m) => nf(`wrong method ${m}`, m, r.url)),
    nf('a trailing slash', r.method, `${r.url}/`),
    nf('the path upper-cased', r.method, r.url.toUpperCase()),
    nf('a path below it', r.method, `${r.url}/x/y`),
    nf('an encoded slash', r.method, encodedSlash(r.url))
  ]
}

function encodedSlash (url: string): string {
  const i = url.lastIndexOf('/')
  return i === 0 ? `/x%2F${url.slice(1)}` : `${url.slice(0, i)}%2F${url.slice(i + 1)}`
}

const PAGING_JUNK = ['limit=0', 'limit=-1', 'limit=501', 'limit=abc', 'limit=1.5', 'limit=1e3', 'limit=', 'limit=1&limit=2', 'limit[]=1', 'offset=-1', 'offset=1000001', 'offset=x', 'extra=1', '__proto__[polluted]=1', '__proto__=x', 'constructor[prototype][polluted]=1', `limit=${'9'.repeat(400)}`]
const FILTER_JUNK = ['code=lower', 'code=A', `code=${'A'.repeat(65)}`, 'source=ldap', 'source=OKTA', 'since=yesterday', 'since=2024-13-45T00:00:00Z', 'until=5', 'since=%ff%fe', `since=${'2'.repeat(9000)}`]

const BAD_PARAMS: Array<[string, string]> = [
  ['an unknown source', 'ldap/00urep'], ['a source upper-cased', 'OKTA/00urep'], ['__proto__ as the source', '__proto__/00urep'],
  ['a space in the id', 'okta/bad%20id'], ['a slash in the id', 'okta/a%2Fb'], ['a NUL in the id', 'okta/a%00b'],
  ['a quote in the id', 'okta/a%22b'], ['an id of three dots', 'okta/...'], ['an address as the id', 'okta/rep%40example.com'],
  ['an emoji in the id', 'okta/%F0%9F%98%80'], ['constructor as the source', 'constructor/x']
]

/** Route-specific hostile input, sent with the right token. */
function ownCases (r: OpsRoute, s: Secrets): Case[] {
  const auth = { authorization: `Bearer ${s.opsToken}` }
  const get = (name: string, url: string): Case => ({ name, method: r.method, url, headers: auth, status: 400, code: 'OPS_BAD_REQUEST' })
  const post = (name: string, payload: string | Buffer, code = 'OPS_BAD_REQUEST'): Case => ({ name, method: r.method, url: r.url, headers: { ...JSON_TYPE, ...auth }, payload, status: 400, code })
  const base = r.url.split('/').slice(0, 3).join('/')
  const param = (method: string, name: string, p: string, status = 400, code = 'OPS_BAD_REQUEST'): Case => ({
    name, method, url: `${base}/${p}`, headers: { ...auth, ...(method === 'PUT' && JSON_TYPE) }, ...(method === 'PUT' && { payload: r.payload }), status, code
  })
  const params = (method: string): Case[] => [
    ...BAD_PARAMS.map(([name, p]) => param(method, name, p)),
    // The router refuses a path parameter over 100 characters before the schema's 200 applies.
    param(method, 'an id of 201 characters', `okta/${'u'.repeat(201)}`, 414, 'URL_TOO_LONG'),
    param(method, 'invalid UTF-8 in the id', 'okta/%ff%fe', 400, 'BAD_URL')
  ]
  switch (r.family) {
    case 'GET /status': return [
      { name: 'HEAD without a token', method: 'HEAD', url: r.url, status: 401 },
      { name: 'HEAD with a wrong token', method: 'HEAD', url: r.url, headers: { authorization: 'Bearer x' }, status: 401 },
      { name: 'no token, prototype pollution in the query', method: 'GET', url: `${r.url}?__proto__[polluted]=1&constructor[prototype][polluted]=1`, status: 401, code: 'OPS_AUTH' },
      { name: 'no token, a 9,000-character query', method: 'GET', url: `${r.url}?q=${BIG}`, status: 401, code: 'OPS_AUTH' },
      { name: 'no token, invalid UTF-8 in the query', method: 'GET', url: `${r.url}?x=%ff%fe`, status: 401, code: 'OPS_AUTH' },
      { name: 'no token, a JSON body on the GET', method: 'GET', url: r.url, headers: JSON_TYPE, payload: '{"__proto__": {"polluted": 1}}', status: 401, code: 'OPS_AUTH' }
    ]
    case 'GET /ops/failed': return [...PAGING_JUNK, ...FILTER_JUNK].map((q) => get(`query ${q.slice(0, 40)}`, `${r.url}?${q}`))
    case 'GET /ops/unresolved': return [...PAGING_JUNK, 'code=X', 'reveal=true'].map((q) => get(`query ${q.slice(0, 40)}`, `${r.url}?${q}`))
    case 'POST /ops/failed/retry':
    case 'POST /ops/failed/discard': return [
      ...jsonBodyCases(r.method, r.url, auth, OVER_LIMIT),
      post('JSON null', 'null'), post('an array', '[]'), post('a string', '"x"'), post('a number', '7'),
      post('{} (no ids, no filter)', '{}'), post('only dryRun', '{"dryRun": true}'),
      post('jobIds is a string', '{"jobIds": "1"}'), post('jobIds holds a number', '{"jobIds": [1]}'), post('jobIds holds ""', '{"jobIds": [""]}'),
      post('jobIds holds null', '{"jobIds": [null]}'), post('1,001 jobIds', JSON.stringify({ jobIds: Array.from({ length: 1001 }, (_v, i) => String(i)) })),
      post('10,000 empty jobIds', JSON.stringify({ jobIds: Array(10_000).fill('') })),
      post('a jobId of 101 characters', JSON.stringify({ jobIds: ['j'.repeat(101)] })),
      post('code in lower case', '{"code": "enerflo_rejected"}'), post('an unknown source', '{"source": "ldap"}'),
      post('since is not a date', '{"since": "last week"}'), post('until is a number', '{"until": 1700000000000}'),
      post('dryRun is a string', '{"code": "X_Y", "dryRun": "yes"}'), post('an unknown field', '{"code": "X_Y", "all": true}'),
      post('__proto__', '{"__proto__": {"polluted": 1}, "code": "X_Y"}', 'FST_ERR_CTP_INVALID_JSON_BODY'),
      post('constructor.prototype', '{"constructor": {"prototype": {"polluted": 1}}, "code": "X_Y"}', 'FST_ERR_CTP_INVALID_JSON_BODY'),
      post('jobIds nested 10,000 levels deep', `{"jobIds": ${deepArray(10_000)}}`),
      post('invalid UTF-8 in a code', invalidUtf8('{"code": "BAD"}'))
    ]
    case 'PUT /ops/links/:source/:idpUserId': return [
      ...params('PUT'),
      ...jsonBodyCases('PUT', r.url, auth, OVER_LIMIT),
      { name: 'a 10,000-element array (over the route\'s 1 KiB limit)', method: 'PUT', url: r.url, headers: { ...JSON_TYPE, ...auth }, payload: `{"enerfloUserId": [${Array(10_000).fill('1').join(',')}]}`, status: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' },
      post('JSON null', 'null'), post('an array', '[502]'), post('{}', '{}'), post('enerfloUserId is a string', '{"enerfloUserId": "502"}'),
      post('enerfloUserId is 0', '{"enerfloUserId": 0}'), post('enerfloUserId is negative', '{"enerfloUserId": -5}'),
      post('enerfloUserId is a fraction', '{"enerfloUserId": 1.5}'), post('enerfloUserId over int32', '{"enerfloUserId": 2147483648}'),
      post('enerfloUserId is 1e400', '{"enerfloUserId": 1e400}'), post('enerfloUserId is null', '{"enerfloUserId": null}'),
      post('an extra field', '{"enerfloUserId": 502, "admin": true}'),
      post('__proto__', '{"__proto__": {"enerfloUserId": 502}}', 'FST_ERR_CTP_INVALID_JSON_BODY'),
      post('constructor.prototype', '{"constructor": {"prototype": {"enerfloUserId": 502}}}', 'FST_ERR_CTP_INVALID_JSON_BODY')
    ]
    case 'DELETE /ops/links/:source/:idpUserId': return params('DELETE')
    case 'POST /ops/links/import': return [
      ...jsonBodyCases(r.method, r.url, auth, 5 * 1024 * 1024 + 1),
      post('JSON null', 'null'), post('an object', '{"source": "okta", "idpUserId": "00urep", "enerfloUserId": 502}'), post('a number', '5'),
      post('true', 'true'), post('an object of rows', '{"rows": []}'),
      post('100,001 rows', `[${Array(100_001).fill('0').join(',')}]`),
      post('__proto__ rows', '[{"__proto__": {"source": "okta", "idpUserId": "00urep", "enerfloUserId": 502}}]', 'FST_ERR_CTP_INVALID_JSON_BODY'),
      post('constructor.prototype', '{"constructor": {"prototype": {"polluted": 1}}}', 'FST_ERR_CTP_INVALID_JSON_BODY'),
      { name: 'CSV over 5 MiB', method: 'POST', url: r.url, headers: { ...auth, 'content-type': 'text/csv' }, payload: `source,idp_user_id,enerflo_user_id\n${'okta,x,1\n'.repeat(600_000)}`, status: 413 }
    ]
    case 'GET /ops/users/:source/:idpUserId': return [
      ...params('GET'),
      ...['reveal=maybe', 'reveal=2', 'reveal=', 'reveal=true&reveal=false', 'extra=1', '__proto__[reveal]=true'].map((q) => get(`query ${q}`, `${r.url}?${q}`))
    ]
    case 'GET /ops/preview/:source/:idpUserId': return [
      ...params('GET')
    ]
  }
  return []
}

export function opsCases (r: OpsRoute, s: Secrets): Case[] {
  return [...tokenCases(r, s), ...routingCases(r, s), ...ownCases(r, s)]
}
