/**
 * The corpus for the Graph receivers. Graph authenticates each item by its clientState, not the
 * request: a POST whose items are all someone else's (wrong clientState or tenant), or not about
 * a user, is acknowledged with 202 and dropped (README, "Answers Graph gets"), so Graph does not
 * retry it for hours. Those cases say so; everything else malformed is a 400.
 */
import { randomUUID } from 'node:crypto'
import { deepArray, deepObject, invalidUtf8, JSON_TYPE, jsonBodyCases, OVER_LIMIT, type Case } from './corpus.js'
import { sameLengthWrong, type Secrets } from './bad-input-cases.js'

const DROPPED = 'items that are not ours are acknowledged and dropped (README: 202, counted)'

export function graphItem (s: Secrets, over: Record<string, unknown> = {}): Record<string, unknown> {
  const userId = randomUUID()
  return {
    subscriptionId: randomUUID(),
    changeType: 'updated',
    resource: `Users/${userId}`,
    resourceData: { '@odata.type': '#Microsoft.Graph.User', id: userId, organizationId: s.tenantId },
    clientState: s.clientState,
    tenantId: s.tenantId,
    ...over
  }
}

export function lifecycleItem (s: Secrets, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { subscriptionId: randomUUID(), subscriptionExpirationDateTime: new Date().toISOString(), tenantId: s.tenantId, clientState: s.clientState, lifecycleEvent: 'reauthorizationRequired', ...over }
}

/** Cases shared by both Graph routes; `item` builds a valid item of the route's kind. */
function sharedCases (url: string, s: Secrets, item: (over?: Record<string, unknown>) => Record<string, unknown>): Case[] {
  const post = (name: string, payload: string | Buffer, status = 400, code: string | undefined = 'WEBHOOK_BODY'): Case =>
    ({ name, method: 'POST', url, headers: JSON_TYPE, payload, status, ...(code !== undefined && { code }) })
  const value = (items: unknown): string => JSON.stringify({ value: items })
  const dropped = (name: string, payload: string): Case => ({ ...post(name, payload, 202, undefined), acknowledged: DROPPED })
  const valid = value([item()])
  return [
    ...jsonBodyCases('POST', url, {}, OVER_LIMIT, 'WEBHOOK_BODY'),
    post('JSON null', 'null'), post('an array', '[]'), post('a string', '"value"'), post('a number', '1'), post('false', 'false'),
    post('{} (no value)', '{}'),
    post('value is null', '{"value": null}'),
    post('value is an object', '{"value": {}}'),
    post('value is a string', '{"value": "x"}'),
    post('value is empty', '{"value": []}'),
    post('an item is null', value([null])),
    post('an item is a string', value(['x'])),
    post('item without subscriptionId', value([item({ subscriptionId: undefined })])),
    post('subscriptionId is empty', value([item({ subscriptionId: '' })])),
    post('subscriptionId is a number', value([item({ subscriptionId: 5 })])),
    post('subscriptionId of 9,000 characters', value([item({ subscriptionId: 's'.repeat(9000) })])),
    post('clientState is a number', value([item({ clientState: 12345 })])),
    post('clientState is an object', value([item({ clientState: { $ne: '' } })])),
    post('tenantId is an array', value([item({ tenantId: [s.tenantId] })])),
    post('sequenceNumber is text', value([item({ sequenceNumber: 'abc' })])),
    post('sequenceNumber is a fraction', JSON.stringify({ value: [item()] }).replace('"tenantId"', '"sequenceNumber": 1.5, "tenantId"')),
    post('sequenceNumber is huge and negative-exponent', JSON.stringify({ value: [item()] }).replace('"tenantId"', '"sequenceNumber": 1e-400, "tenantId"')),
    post('5,001 items (over Graph\'s own maximum)', value(Array.from({ length: 5001 }, () => ({ subscriptionId: 'x', clientState: s.clientState })))),
    post('10,000 null items', value(Array(10_000).fill(null))),
    post('value nested 10,000 levels deep', `{"value": ${deepArray(10_000)}}`),
    post('body nested 10,000 levels deep (objects)', deepObject(10_000)),
    post('body nested 400,000 levels deep', deepArray(400_000)),
    post('a 900 kB string where the array belongs', `{"value": "${'v'.repeat(900_000)}"}`),
    post('__proto__ carrying the value', `{"__proto__": {"value": ${valid.slice(9, -1)}}}`),
    post('constructor.prototype carrying the value', `{"constructor": {"prototype": {"value": ${valid.slice(9, -1)}}}}`),
    post('invalid UTF-8 inside a value, no items', invalidUtf8('{"valuez": "BAD"}')),
    // The body that froze the old regex rewrite: "sequenceNumber" then an unterminated run of \".
    post('sequenceNumber then 1 MiB of unterminated \\" (was quadratic)', '{"value":[{"sequenceNumber":1,"x":"' + '\\"'.repeat(500 * 1024)),
    post('sequenceNumber then 64 kB of unterminated \\"', '{"sequenceNumber":"' + '\\"'.repeat(32 * 1024)),
    post('a BOM then __proto__', '\uFEFF{"__proto__": {"value": []}}'),
    post('__proto__ inside an item', value([item({ clientState: s.clientState })]).replace('"subscriptionId"', '"__proto__": {"x": 1}, "subscriptionId"')),
    { ...post('a validation token of 5,000 characters', ''), url: `${url}?validationToken=${'t'.repeat(5000)}` },
    { ...post('an empty validation token', ''), url: `${url}?validationToken=` },
    dropped('a wrong clientState of the right length', value([item({ clientState: sameLengthWrong(s.clientState) })])),
    dropped('no clientState', value([item({ clientState: undefined })])),
    dropped('a null clientState', value([item({ clientState: null })])),
    dropped('the client state with a character added', value([item({ clientState: `${s.clientState}x` })])),
    dropped('the Okta webhook secret as clientState', value([item({ clientState: s.webhookSecret })])),
    dropped('another tenant', value([item({ tenantId: randomUUID() })])),
    post('__proto__ on a forged item', `{"__proto__": {"polluted": "yes"}, "value": [${JSON.stringify(item({ clientState: 'forged', __proto__x: 1 })).replace('"__proto__x"', '"__proto__"')}]}`),
    post('constructor.prototype on a forged item', `{"constructor": {"prototype": {"polluted": "yes"}}, "value": [${JSON.stringify(item({ clientState: 'forged' }))}]}`),
    post('10,000 forged items', value(Array.from({ length: 10_000 }, () => ({ subscriptionId: 'x', clientState: 'forged' })))),
    dropped('5,000 forged items', value(Array.from({ length: 5000 }, () => ({ subscriptionId: 'x', clientState: 'forged' })))),
    ...['GET', 'PUT', 'PATCH', 'DELETE'].map((method): Case => ({ name: `wrong method ${method}`, method, url, headers: JSON_TYPE, ...(method !== 'GET' && { payload: valid }), status: 404, code: 'NOT_FOUND' })),
    { name: 'wrong method GET with a validation token', method: 'GET', url: `${url}?validationToken=abc`, status: 404, code: 'NOT_FOUND' },
    { name: 'trailing slash', method: 'POST', url: `${url}/`, headers: JSON_TYPE, payload: valid, status: 404, code: 'NOT_FOUND' },
    { name: 'upper-case path', method: 'POST', url: url.toUpperCase(), headers: JSON_TYPE, payload: valid, status: 404, code: 'NOT_FOUND' }
  ]
}

export function graphCases (s: Secrets): Case[] {
  const url = '/webhooks/graph'
  const item = (over?: Record<string, unknown>): Record<string, unknown> => graphItem(s, over)
  const value = (items: unknown): string => JSON.stringify({ value: items })
  const post = (name: string, payload: string, status = 400): Case => ({ name, method: 'POST', url, headers: JSON_TYPE, payload, status, code: 'WEBHOOK_BODY' })
  const dropped = (name: string, payload: string): Case => ({ name, method: 'POST', url, headers: JSON_TYPE, payload, status: 202, acknowledged: 'not about a user, or not a change: acknowledged and counted (README)' })
  return [
    ...sharedCases(url, s, item),
    post('changeType is a number', value([item({ changeType: 1 })])),
    post('resourceData is a string', value([item({ resourceData: 'Users/x' })])),
    post('resourceData.id is a number', value([item({ resourceData: { id: 42 } })])),
    dropped('a user id with a slash and dots', value([item({ resource: 'Users/../../x', resourceData: { id: '../x/y' } })])),
    dropped('a user id of 9,000 characters', value([item({ resource: null, resourceData: { id: 'u'.repeat(9000) } })])),
    dropped('a group whose id is not an id', value([item({ resource: 'Groups/..', resourceData: null })])),
    dropped('a group item that contradicts itself', value([item({ resource: 'Groups/a', resourceData: { '@odata.type': '#Microsoft.Graph.Group', id: 'b' } })])),
    dropped('a malformed escape in the resource (%E0%A4%A)', value([item({ resource: 'Users/%E0%A4%A', resourceData: null })])),
    dropped('a malformed escape in the resource (%zz)', value([item({ resource: 'Users/%zz', resourceData: null })])),
    dropped('a user id of two dots', value([item({ resource: 'Users/..', resourceData: { id: '..' } })])),
    dropped('a user id of one dot', value([item({ resource: 'Users/.', resourceData: null })])),
    dropped('a user id that is an address', value([item({ resource: 'Users/rep@example.com', resourceData: { id: 'rep@example.com' } })])),
    dropped('an unknown changeType', value([item({ changeType: '__proto__' })]))
  ]
}

export function lifecycleCases (s: Secrets): Case[] {
  const url = '/webhooks/graph/lifecycle'
  const item = (over?: Record<string, unknown>): Record<string, unknown> => lifecycleItem(s, over)
  const value = (items: unknown): string => JSON.stringify({ value: items })
  return [
    ...sharedCases(url, s, item),
    { name: 'lifecycleEvent is a number', method: 'POST', url, headers: JSON_TYPE, payload: value([item({ lifecycleEvent: 3 })]), status: 400, code: 'WEBHOOK_BODY' },
    { name: 'lifecycleEvent is an object', method: 'POST', url, headers: JSON_TYPE, payload: value([item({ lifecycleEvent: { name: 'missed' } })]), status: 400, code: 'WEBHOOK_BODY' },
    { name: 'a forged reauthorizationRequired', method: 'POST', url, headers: JSON_TYPE, payload: value([item({ clientState: sameLengthWrong(s.clientState) })]), status: 202, acknowledged: DROPPED },
    { name: 'a forged subscriptionRemoved from another tenant', method: 'POST', url, headers: JSON_TYPE, payload: value([item({ lifecycleEvent: 'subscriptionRemoved', tenantId: randomUUID() })]), status: 202, acknowledged: DROPPED }
  ]
}
