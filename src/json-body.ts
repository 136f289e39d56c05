/**
 * The one hardened JSON path for every receiver's body. Parsing comes first and nothing scans the
 * raw text before it: a regular expression over an untrusted, unparsed body can be made quadratic
 * (an unterminated string of `\"` after a key froze the process for seconds). `__proto__` and
 * `constructor` keys are refused and a leading BOM is dropped, as Fastify's own parser does.
 *
 * A body that holds neither word nor any `\u` escape (nearly every delivery) cannot hold such a
 * key, however it is written, so it goes straight to JSON.parse: three linear searches instead of
 * secure-json-parse's two escape-aware regular expressions over the whole text. Anything else
 * goes through secure-json-parse, which finds a key spelt with escapes too.
 */
import sjson from 'secure-json-parse'
import { SyncError } from './errors.js'

export function parseJsonBody (text: string): unknown {
  try {
    if (!text.includes('\\u') && !text.includes('__proto__') && !text.includes('constructor')) {
      return JSON.parse(text.charCodeAt(0) === 0xFEFF ? text.slice(1) : text) as unknown
    }
    return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }) as unknown
  } catch (err) {
    const poisoned = err instanceof SyntaxError && /prototype|constructor/i.test(err.message) && !/JSON/.test(err.message)
    throw new SyncError('WEBHOOK_BODY', poisoned ? 'the body has a forbidden key (__proto__ or constructor)' : 'the body is not valid JSON', 400, { cause: err })
  }
}

const SEQUENCE_KEY = '"sequenceNumber"'
const NUMBER_CHAR = /[-+0-9.eE]/

/**
 * Graph's `sequenceNumber` can exceed 2^53, which JSON.parse rounds. The body is parsed first;
 * only when it holds a numeric sequence number is the (now known valid) text scanned once, left to
 * right, and every numeric sequence number quoted, so its digits survive exactly as sent (and a
 * `1e-400` stays text the schema refuses, rather than becoming 0).
 */
export function parseGraphBody (text: string): unknown {
  const parsed = parseJsonBody(text)
  if (!hasNumericSequence(parsed)) return parsed
  return JSON.parse(quoteSequenceNumbers(text.charCodeAt(0) === 0xFEFF ? text.slice(1) : text)) as unknown
}

/** Whether an item, or its resourceData, holds a numeric sequenceNumber (read in place: no list is built). */
function hasNumericSequence (body: unknown): boolean {
  if (body === null || typeof body !== 'object' || !Array.isArray((body as { value?: unknown }).value)) return false
  for (const item of (body as { value: unknown[] }).value) {
    if (item === null || typeof item !== 'object') continue
    if (typeof (item as { sequenceNumber?: unknown }).sequenceNumber === 'number') return true
    const data = (item as { resourceData?: unknown }).resourceData
    if (data !== null && typeof data === 'object' && typeof (data as { sequenceNumber?: unknown }).sequenceNumber === 'number') return true
  }
  return false
}

/** One pass over valid JSON text: `"sequenceNumber": 123…` becomes `"sequenceNumber": "123…"`. */
export function quoteSequenceNumbers (text: string): string {
  let out = ''
  let from = 0
  let i = text.indexOf('"')
  while (i !== -1) {
    let j = i + 1
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
    if (j - i + 1 === SEQUENCE_KEY.length && text.startsWith(SEQUENCE_KEY, i)) {
      let k = j + 1
      while (k < text.length && /\s/.test(text[k] ?? '')) k++
      if (text[k] === ':') {
        k++
        while (k < text.length && /\s/.test(text[k] ?? '')) k++
        let end = k
        while (end < text.length && NUMBER_CHAR.test(text[end] ?? '')) end++
        if (end > k) {
          out += text.slice(from, k) + '"' + text.slice(k, end) + '"'
          from = end
          j = end - 1
        }
      }
    }
    i = text.indexOf('"', j + 1)
  }
  return out + text.slice(from)
}
