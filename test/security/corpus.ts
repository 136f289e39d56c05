/**
 * The bad-input corpus: what a case is, how one runs through app.inject(), and the hostile bodies
 * every JSON route gets. Each case names the status it must get; every 4xx must carry the
 * service's error shape, no case may get a 5xx, and a 2xx is allowed only where the case says
 * why (the route acknowledges and drops it by design).
 */
import type { FastifyInstance, InjectOptions } from 'fastify'
import type { Test } from 'tap'

export interface Case {
  name: string
  method: string
  url: string
  headers?: Record<string, string | string[]>
  payload?: string | Buffer
  status: number
  code?: string
  /** Why a 2xx is right here (acknowledged and dropped by design); required for a 2xx. */
  acknowledged?: string
  /** Answered by Node's HTTP parser before any route (Fastify's client error handler): why `code` may be missing. */
  clientError?: string
}

export interface Tally { cases: number, wire: number, fiveXX: number, twoXX: number, fourXX: number }

export const JSON_TYPE = { 'content-type': 'application/json' }

let address = 0
/** A fresh client address per case, so the failed-auth limiter never answers for the case. */
export function nextAddress (): string {
  address++
  return `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`
}

export const deepArray = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels)
export const deepObject = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)
export const invalidUtf8 = (json: string, marker = 'BAD'): Buffer => {
  const [head, tail] = json.split(marker)
  return Buffer.concat([Buffer.from(head ?? ''), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(tail ?? '')])
}

/** Counts one answer and checks what every corpus asks of it: its status, never a 5xx. Returns its label. */
export function checkStatus (t: Test, c: Pick<Case, 'method' | 'url' | 'name' | 'status' | 'acknowledged'>, res: { statusCode: number, body: string }, tally: Tally, via: string): string {
  tally.cases++
  if (via === 'wire') tally.wire++
  if (res.statusCode >= 500) tally.fiveXX++
  else if (res.statusCode >= 200 && res.statusCode < 300) tally.twoXX++
  else if (res.statusCode >= 400) tally.fourXX++
  const label = `${via} ${c.method} ${c.url.slice(0, 80)}: ${c.name}`
  t.ok(res.statusCode < 500, `${label}: never a 5xx (got ${res.statusCode})`)
  t.equal(res.statusCode, c.status, `${label}: ${c.status} (got ${res.statusCode} ${res.body.slice(0, 160)})`)
  if (c.status < 300 && c.acknowledged === undefined) t.fail(`${label}: a 2xx case must say why`)
  return label
}

/** Checks one answer against its case: status, error shape, never a 5xx. */
export function checkAnswer (t: Test, c: Case, res: { statusCode: number, headers: Record<string, unknown>, body: string }, tally: Tally, via: string): void {
  const label = checkStatus(t, c, res, tally, via)
  if (res.statusCode < 400 || c.method === 'HEAD') return
  t.match(String(res.headers['content-type']), /^application\/json/, `${label}: JSON error`)
  let body: unknown
  try { body = JSON.parse(res.body) } catch { t.fail(`${label}: error body is not JSON: ${res.body.slice(0, 200)}`); return }
  t.match(body, { statusCode: res.statusCode, error: /\S/, message: /\S/ }, `${label}: {statusCode, error, message}`)
  t.match(body, { code: /^[A-Z][A-Z0-9_]+$/ }, `${label}: a stable code`, c.clientError === undefined ? {} : { todo: c.clientError })
  const code = (body as { code?: unknown }).code
  if (c.code !== undefined) t.equal(code, c.code, `${label}: code ${c.code} (got ${String(code)}: ${res.body.slice(0, 160)})`)
}

export async function runCase (t: Test, app: FastifyInstance, c: Case, tally: Tally): Promise<void> {
  const opts: InjectOptions = {
    method: c.method as NonNullable<InjectOptions['method']>,
    url: c.url,
    headers: c.headers ?? {},
    remoteAddress: nextAddress(),
    ...(c.payload !== undefined && { payload: c.payload })
  }
  const res = await app.inject(opts)
  checkAnswer(t, c, { statusCode: res.statusCode, headers: res.headers, body: res.body }, tally, 'inject')
}

/** More than any route takes but the import (5 MiB). */
export const OVER_LIMIT = 1024 * 1024 + 1

/**
 * Hostile bodies every JSON POST/PUT route gets, with the route's own (right) credentials: the
 * parser, the content-type check and the body limit answer these before any route code runs.
 */
export function jsonBodyCases (method: string, url: string, auth: Record<string, string>, overBytes: number, jsonCode = 'FST_ERR_CTP_INVALID_JSON_BODY'): Case[] {
  const h = { ...JSON_TYPE, ...auth }
  const bad = (name: string, payload: string | Buffer, status = 400, code: string | undefined = jsonCode): Case =>
    ({ name, method, url, headers: h, payload, status, ...(code !== undefined && { code }) })
  const typed = (name: string, type: string | undefined, status = 415): Case => ({
    name, method, url, status, payload: '{"a":1}', headers: { ...auth, ...(type !== undefined && { 'content-type': type }) }
  })
  return [
    bad('not JSON', 'hello, world'),
    bad('truncated JSON', '{"data": {"events": ['),
    bad('truncated inside a string', '{"value": [{"subscriptionId": "abc'),
    bad('a lone brace', '{'),
    bad('empty body', '', 400, jsonCode === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'FST_ERR_CTP_EMPTY_JSON_BODY' : jsonCode),
    bad('whitespace only', '  \r\n\t '),
    bad('comments', '{/* c */ "a": 1}'),
    bad('trailing comma', '{"a": 1,}'),
    bad('single quotes', "{'a': 1}"),
    bad('NaN literal', '{"a": NaN}'),
    bad('Infinity literal', '{"a": Infinity}'),
    bad('two documents', '{}{}'),
    bad('unquoted key', '{a: 1}'),
    bad('control character in a string', '{"a": "x\u0001y"}'),
    bad('invalid UTF-8 outside strings', invalidUtf8('{BAD"a": 1}')),
    bad('UTF-16LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}', 'utf16le')])),
    bad('a lone high surrogate escape, unterminated', '{"a": "\\ud800'),
    typed('text/plain', 'text/plain'),
    typed('no content type', undefined),
    typed('application/xml', 'application/xml'),
    typed('form encoded', 'application/x-www-form-urlencoded'),
    typed('multipart', 'multipart/form-data; boundary=xyz'),
    typed('application/octet-stream', 'application/octet-stream'),
    typed('json-patch', 'application/json-patch+json'),
    typed('content type with junk', 'application/json/../../x'),
    typed('empty content type', ''),
    { name: `over the body limit (a ${overBytes}-byte string)`, method, url, headers: h, payload: `"${'x'.repeat(overBytes - 2)}"`, status: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }
  ]
}
