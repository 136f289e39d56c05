/**
 * The corpus per route family. Credentials come from the harness (generated per run); a case
 * sends the right ones unless it is about them, so it reaches the part it means to break.
 */
import { randomUUID } from 'node:crypto'
import { deepArray, deepObject, invalidUtf8, JSON_TYPE, jsonBodyCases, OVER_LIMIT, type Case } from './corpus.js'

export interface Secrets {
  webhookSecret: string
  opsToken: string
  clientState: string
  tenantId: string
  apiKey: string
  oktaToken: string
}

/** Same length, same alphabet, not the secret. */
export function sameLengthWrong (s: string): string {
  return [...s].map((c) => c === 'a' ? 'b' : 'a').join('')
}

const BIG = 'x'.repeat(9000)

// ---- Okta -----------------------------------------------------------------------------------

const oktaEvent = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ uuid: randomUUID(), eventType: 'user.lifecycle.create', target: [{ id: '00ucorpus', type: 'User' }], ...over })
const oktaBody = (events: unknown): string => JSON.stringify({ eventType: 'com.okta.event_hook', data: { events } })

export function oktaPostCases (s: Secrets): Case[] {
  const url = '/webhooks/okta'
  const auth = { authorization: s.webhookSecret }
  const valid = oktaBody([oktaEvent()])
  const body = (name: string, payload: string | Buffer, code = 'WEBHOOK_BODY'): Case =>
    ({ name, method: 'POST', url, headers: { ...JSON_TYPE, ...auth }, payload, status: 400, code })
  const secret = (name: string, authorization: string | string[] | undefined): Case =>
    ({ name, method: 'POST', url, headers: { ...JSON_TYPE, ...(authorization !== undefined && { authorization }) }, payload: valid, status: 401, code: 'WEBHOOK_AUTH' })
  const fiveThousand = Array.from({ length: 5000 }, () => oktaEvent())
  return [
    ...jsonBodyCases('POST', url, auth, OVER_LIMIT, 'WEBHOOK_BODY'),
    body('JSON null', 'null'), body('an array', '[]'), body('a string', '"data"'), body('a number', '42'), body('true', 'true'),
    body('{} (no data)', '{}'),
    body('data is null', '{"data": null}'),
    body('data is an array', '{"data": []}'),
    body('data without events', '{"data": {}}'),
    body('events is null', '{"data": {"events": null}}'),
    body('events is an object', '{"data": {"events": {}}}'),
    body('events is a string', '{"data": {"events": "user.lifecycle.create"}}'),
    body('an event is null', oktaBody([null])),
    body('an event is a number', oktaBody([1])),
    body('event without uuid', oktaBody([oktaEvent({ uuid: undefined })])),
    body('event without eventType', oktaBody([oktaEvent({ eventType: undefined })])),
    body('uuid is a number', oktaBody([oktaEvent({ uuid: 7 })])),
    body('eventType is null', oktaBody([oktaEvent({ eventType: null })])),
    body('eventType is an array', oktaBody([oktaEvent({ eventType: ['user.lifecycle.create'] })])),
    body('target is an object', oktaBody([oktaEvent({ target: { id: '00u1', type: 'User' } })])),
    body('target holds null', oktaBody([oktaEvent({ target: [null] })])),
    body('target without id', oktaBody([oktaEvent({ target: [{ type: 'User' }] })])),
    body('target id is a number', oktaBody([oktaEvent({ target: [{ id: 123, type: 'User' }] })])),
    body('target type is null', oktaBody([oktaEvent({ target: [{ id: '00u1', type: null }] })])),
    body('outcome is a string', oktaBody([oktaEvent({ outcome: 'SUCCESS' })])),
    body('actor is an array', oktaBody([oktaEvent({ actor: [] })])),
    body('10,000 null events', oktaBody(Array(10_000).fill(null))),
    body('5,000 good events, the last broken', oktaBody([...fiveThousand.slice(0, -1), { uuid: 1 }])),
    body('events nested 10,000 levels deep', `{"data": {"events": ${deepArray(10_000)}}}`),
    body('body nested 10,000 levels deep (arrays)', deepArray(10_000)),
    body('body nested 10,000 levels deep (objects)', deepObject(10_000)),
    body('body nested 400,000 levels deep', deepArray(400_000)),
    body('a 900 kB string where an array belongs', `{"data": {"events": "${'e'.repeat(900_000)}"}}`),
    body('__proto__ at the top', `{"__proto__": {"polluted": "yes"}, "data": {"events": []}}`),
    body('__proto__ inside an event', oktaBody([oktaEvent()]).replace('"uuid"', '"__proto__": {"isAdmin": true}, "uuid"')),
    body('constructor.prototype', `{"constructor": {"prototype": {"polluted": "yes"}}, "data": {"events": []}}`),
    body('a BOM, then __proto__', `\uFEFF{"__proto__": {"polluted": "yes"}, "data": {"events": []}}`),
    body('5,001 events (over the documented limit of 5,000 a delivery)', oktaBody([...fiveThousand, oktaEvent()])),
    body('sequenceNumber then 1 MiB of unterminated \\"', '{"data":{"events":[{"sequenceNumber":1,"x":"' + '\\"'.repeat(500 * 1024)),
    body('only a prototype key', '{"prototype": {"data": {"events": []}}}'),
    body('a duplicate key overrides data with null', '{"data": {"events": []}, "data": null}'),
    body('invalid UTF-8 inside a value, no events', invalidUtf8('{"data": {"eventz": "BAD"}}')),
    secret('no secret', undefined),
    secret('empty secret', ''),
    secret('a wrong secret of the right length', sameLengthWrong(s.webhookSecret)),
    secret('the secret with its last character changed', s.webhookSecret.slice(0, -1) + (s.webhookSecret.endsWith('a') ? 'b' : 'a')),
    secret('the secret truncated', s.webhookSecret.slice(0, -1)),
    secret('the secret twice', s.webhookSecret + s.webhookSecret),
    secret('the secret upper-cased', s.webhookSecret.toUpperCase() === s.webhookSecret ? 'X' + s.webhookSecret.slice(1) : s.webhookSecret.toUpperCase()),
    secret('Bearer and the secret', `Bearer ${s.webhookSecret}`),
    secret('the ops token', s.opsToken),
    secret('the Graph client state', s.clientState),
    secret('a 9,000-character secret', BIG),
    secret('a wrong secret, then the right one (repeated header)', [sameLengthWrong(s.webhookSecret), s.webhookSecret]),
    { name: 'the secret in another header', method: 'POST', url, headers: { ...JSON_TYPE, 'x-okta-secret': s.webhookSecret }, payload: valid, status: 401, code: 'WEBHOOK_AUTH' },
    { name: 'the secret in the query', method: 'POST', url: `${url}?authorization=${encodeURIComponent(s.webhookSecret)}`, headers: JSON_TYPE, payload: valid, status: 401, code: 'WEBHOOK_AUTH' },
    ...['PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((method): Case => ({ name: `wrong method ${method}`, method, url, headers: { ...JSON_TYPE, ...auth }, payload: valid, status: 404, code: 'NOT_FOUND' })),
    { name: 'trailing slash', method: 'POST', url: `${url}/`, headers: { ...JSON_TYPE, ...auth }, payload: valid, status: 404, code: 'NOT_FOUND' },
    { name: 'upper-case path', method: 'POST', url: '/WEBHOOKS/OKTA', headers: { ...JSON_TYPE, ...auth }, payload: valid, status: 404, code: 'NOT_FOUND' }
  ]
}

export function oktaGetCases (s: Secrets): Case[] {
  const url = '/webhooks/okta'
  const challenge = { 'x-okta-verification-challenge': 'corpus-challenge' }
  const secret = (name: string, authorization: string | string[] | undefined, extra: Record<string, string | string[]> = challenge): Case =>
    ({ name, method: 'GET', url, headers: { ...extra, ...(authorization !== undefined && { authorization }) }, status: 401, code: 'WEBHOOK_AUTH' })
  const right = { authorization: s.webhookSecret }
  return [
    secret('no secret', undefined),
    secret('empty secret', ''),
    secret('a wrong secret of the right length', sameLengthWrong(s.webhookSecret)),
    secret('the secret with its last character changed', s.webhookSecret.slice(0, -1) + (s.webhookSecret.endsWith('a') ? 'b' : 'a')),
    secret('the secret truncated', s.webhookSecret.slice(0, -1)),
    secret('the secret with a character added', `${s.webhookSecret}=`),
    secret('the secret twice', s.webhookSecret + s.webhookSecret),
    secret('Bearer and the secret', `Bearer ${s.webhookSecret}`),
    secret('Basic and the secret', `Basic ${Buffer.from(`okta:${s.webhookSecret}`).toString('base64')}`),
    secret('the ops token', s.opsToken),
    secret('the Okta API token', s.oktaToken),
    secret('the Enerflo API key', s.apiKey),
    secret('a 9,000-character secret', BIG),
    secret('a wrong secret, then the right one (repeated header)', ['nope', s.webhookSecret]),
    secret('no secret and no challenge', undefined, {}),
    secret('a wrong secret and a 9,000-character challenge', sameLengthWrong(s.webhookSecret), { 'x-okta-verification-challenge': BIG }),
    secret('no secret, challenge in the query', undefined, {}),
    secret('the secret in x-okta-secret instead', undefined, { ...challenge, 'x-okta-secret': s.webhookSecret }),
    secret('the string "undefined"', 'undefined'),
    secret('the string "null"', 'null'),
    { name: 'HEAD without a secret', method: 'HEAD', url, headers: challenge, status: 401 },
    { name: 'HEAD with a wrong secret', method: 'HEAD', url, headers: { ...challenge, authorization: 'x' }, status: 401 },
    { name: 'right secret, no challenge', method: 'GET', url, headers: right, status: 400, code: 'WEBHOOK_BODY' },
    { name: 'right secret, empty challenge', method: 'GET', url, headers: { ...right, 'x-okta-verification-challenge': '' }, status: 400, code: 'WEBHOOK_BODY' },
    { name: 'right secret, challenge in another header', method: 'GET', url, headers: { ...right, 'x-okta-challenge': 'c' }, status: 400, code: 'WEBHOOK_BODY' },
    { name: 'right secret, challenge only in the query', method: 'GET', url: `${url}?x-okta-verification-challenge=c`, headers: right, status: 400, code: 'WEBHOOK_BODY' },
    ...['PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((method): Case => ({ name: `wrong method ${method}`, method, url, headers: { ...right, ...challenge }, status: 404, code: 'NOT_FOUND' })),
    { name: 'wrong method PUT with a JSON body', method: 'PUT', url, headers: { ...right, ...challenge, ...JSON_TYPE }, payload: '{"verification": "x"}', status: 404, code: 'NOT_FOUND' },
    { name: 'trailing slash', method: 'GET', url: `${url}/`, headers: { ...right, ...challenge }, status: 404, code: 'NOT_FOUND' },
    { name: 'upper-case path', method: 'GET', url: '/Webhooks/Okta', headers: { ...right, ...challenge }, status: 404, code: 'NOT_FOUND' },
    { name: 'a path below it', method: 'GET', url: `${url}/verify`, headers: { ...right, ...challenge }, status: 404, code: 'NOT_FOUND' },
    { name: 'an encoded slash', method: 'GET', url: '/webhooks%2Fokta', headers: { ...right, ...challenge }, status: 404, code: 'NOT_FOUND' },
    { name: 'a NUL in the path', method: 'GET', url: '/webhooks/okta%00', headers: { ...right, ...challenge }, status: 404, code: 'NOT_FOUND' },
    { name: 'a wrong secret, a JSON body on the GET', method: 'GET', url, headers: { ...challenge, ...JSON_TYPE, authorization: 'x' }, payload: '{"__proto__": {"polluted": 1}}', status: 401, code: 'WEBHOOK_AUTH' },
    { name: 'a wrong secret, invalid UTF-8 body on the GET', method: 'GET', url, headers: { ...challenge, ...JSON_TYPE, authorization: 'x' }, payload: invalidUtf8('BAD'), status: 401, code: 'WEBHOOK_AUTH' }
  ]
}
