/**
 * The SCIM `filter` query (RFC 7644 §3.4.2.2) as far as Okta and Entra use it: `eq` clauses
 * joined by `and`, on plain, dotted (`emails.value`) or type-selected (`emails[type eq "work"].value`)
 * attributes, with JSON string or boolean values. A small single-pass tokenizer, so any input is
 * read in linear time; everything else is refused with `invalidFilter`. The same reader serves the
 * value filters inside PATCH paths (`emails[type eq "work"]`).
 */
import type { ScimProblem } from './problem.js'
import type { AttributeDef } from './schema.js'
import { anyDef, findDef, splitUrn } from './names.js'

export interface FilterClause {
  attribute: string
  sub?: string
  type?: string
  value: string | boolean
}

/** A clause of a value filter inside a PATCH path: a sub-attribute compared with `eq`. */
export interface ValueClause {
  attribute: string
  value: string | boolean
}

export const MAX_FILTER_LENGTH = 1000

type Token =
  | { kind: 'word', text: string, start: number, end: number }
  | { kind: 'string', value: string, start: number, end: number }
  | { kind: 'punct', text: '[' | ']' | '(' | ')', start: number, end: number }

const PUNCT = new Set(['[', ']', '(', ')'])
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r'

/** One pass over the text; `undefined` when a string is unterminated or its escapes are invalid. */
function tokenize (text: string): Token[] | undefined {
  const out: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (isSpace(c)) { i++; continue }
    if (PUNCT.has(c)) { out.push({ kind: 'punct', text: c as '[' | ']' | '(' | ')', start: i, end: i + 1 }); i++; continue }
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      if (j >= text.length) return undefined
      let value: unknown
      try { value = JSON.parse(text.slice(i, j + 1)) } catch { return undefined }
      if (typeof value !== 'string') return undefined
      out.push({ kind: 'string', value, start: i, end: j + 1 })
      i = j + 1
      continue
    }
    let j = i
    while (j < text.length && !isSpace(text[j] as string) && !PUNCT.has(text[j] as string) && text[j] !== '"') j++
    out.push({ kind: 'word', text: text.slice(i, j), start: i, end: j })
    i = j
  }
  return out
}

const isWord = (t: Token | undefined, text?: string): t is Extract<Token, { kind: 'word' }> =>
  t?.kind === 'word' && (text === undefined || t.text.toLowerCase() === text)
const isPunct = (t: Token | undefined, text: string): boolean => t?.kind === 'punct' && t.text === text

/** A comparison value: a JSON string, or true/false. */
function readValue (t: Token | undefined): string | boolean | undefined {
  if (t?.kind === 'string') return t.value
  if (isWord(t, 'true')) return true
  if (isWord(t, 'false')) return false
  return undefined
}

type Step<T> = { ok: true, value: T, next: number } | { ok: false, why: string }

/** `sub eq value` at tokens[i]; the sub-attribute must be one of `subs`. */
function readValueClause (tokens: Token[], i: number, subs: readonly AttributeDef[]): Step<ValueClause> {
  const name = tokens[i]
  if (!isWord(name)) return { ok: false, why: 'expected an attribute name' }
  const def = findDef(subs, name.text)
  if (def === undefined) return { ok: false, why: `unknown attribute "${name.text}"` }
  if (!isWord(tokens[i + 1], 'eq')) return { ok: false, why: operatorWhy(tokens[i + 1]) }
  const value = readValue(tokens[i + 2])
  if (value === undefined) return { ok: false, why: 'expected a JSON string, true or false after eq' }
  return { ok: true, value: { attribute: def.name, value }, next: i + 3 }
}

function operatorWhy (t: Token | undefined): string {
  if (t === undefined) return 'expected eq'
  const shown = t.kind === 'string' ? JSON.stringify(t.value) : t.text
  return `the operator "${shown}" is not supported`
}

/** `clause (and clause)*` up to `stop` (a closing bracket) or the end of the tokens. */
function readClauses<T> (tokens: Token[], i: number, read: (i: number) => Step<T>, stop?: string): Step<T[]> {
  const out: T[] = []
  for (;;) {
    const step = read(i)
    if (!step.ok) return step
    out.push(step.value)
    i = step.next
    const t = tokens[i]
    if (t === undefined || (stop !== undefined && isPunct(t, stop))) return { ok: true, value: out, next: i }
    if (!isWord(t, 'and')) {
      const shown = t.kind === 'string' ? JSON.stringify(t.value) : t.text
      return { ok: false, why: isWord(t, 'or') ? '"or" is not supported' : `unexpected "${shown}"` }
    }
    i++
  }
}

/**
 * A value filter, the text between the brackets of a PATCH path, over the sub-attributes of one
 * multi-valued attribute: `type eq "work"`, `value eq "x" and primary eq true`.
 */
export function parseValueFilter (text: string, subs: readonly AttributeDef[]): { ok: true, clauses: ValueClause[] } | { ok: false, problem: ScimProblem } {
  const fail = (why: string): { ok: false, problem: ScimProblem } => ({
    ok: false,
    problem: { status: 400, scimType: 'invalidFilter', detail: `the value filter [${text.slice(0, 200)}] is not supported: ${why}; supported are "eq" clauses joined by "and" on ${subs.map((s) => s.name).join(', ')}` }
  })
  if (text.length > MAX_FILTER_LENGTH) return fail(`longer than ${MAX_FILTER_LENGTH} characters`)
  const tokens = tokenize(text)
  if (tokens === undefined) return fail('a string is unterminated or badly escaped')
  if (tokens.length === 0) return fail('it is empty')
  const r = readClauses(tokens, 0, (i) => readValueClause(tokens, i, subs))
  return r.ok ? { ok: true, clauses: r.value } : fail(r.why)
}

/** The attribute path of a clause: `attr`, `urn:…:attr`, `attr.sub`, `attr[type eq "x"]`, `attr[type eq "x"].sub`. */
function readAttrPath (tokens: Token[], i: number, known: readonly string[]): Step<Omit<FilterClause, 'value'>> {
  const first = tokens[i]
  if (!isWord(first)) return { ok: false, why: isPunct(first, '(') ? 'parentheses are not supported' : 'expected an attribute name' }
  const { rest } = splitUrn(first.text)
  const dot = rest.indexOf('.')
  const written = dot === -1 ? rest : rest.slice(0, dot)
  const lower = written.toLowerCase()
  if (lower === 'not') return { ok: false, why: '"not" is not supported' }
  const attribute = known.find((k) => k.toLowerCase() === lower)
  if (attribute === undefined) return { ok: false, why: `the attribute "${first.text}" cannot be filtered on` }
  const def = anyDef(attribute)
  const out: Omit<FilterClause, 'value'> = { attribute }
  let next = i + 1
  let subText = dot === -1 ? undefined : rest.slice(dot + 1)
  if (isPunct(tokens[next], '[')) {
    if (subText !== undefined) return { ok: false, why: `unexpected "[" after "${first.text}"` }
    const typeDef = def?.multiValued === true ? findDef(def.subAttributes, 'type') : undefined
    if (typeDef === undefined) return { ok: false, why: `"${attribute}" has no type to select by` }
    const inner = readValueClause(tokens, next + 1, [typeDef])
    if (!inner.ok) return { ok: false, why: `inside the brackets only type eq "…" is supported (${inner.why})` }
    if (typeof inner.value.value !== 'string') return { ok: false, why: 'the type must be a string' }
    if (!isPunct(tokens[inner.next], ']')) return { ok: false, why: 'inside the brackets only one type eq "…" is supported' }
    out.type = inner.value.value
    next = inner.next + 1
    const after = tokens[next]
    const close = tokens[inner.next] as Token
    if (isWord(after) && after.start === close.end && after.text.startsWith('.')) {
      subText = after.text.slice(1)
      next++
    }
  }
  if (subText !== undefined) {
    const subDef = findDef(def?.subAttributes, subText)
    if (subDef === undefined) return { ok: false, why: `"${attribute}" has no sub-attribute "${subText}"` }
    out.sub = subDef.name
  }
  return { ok: true, value: out, next }
}

function readClause (tokens: Token[], i: number, known: readonly string[]): Step<FilterClause> {
  const path = readAttrPath(tokens, i, known)
  if (!path.ok) return path
  if (!isWord(tokens[path.next], 'eq')) return { ok: false, why: operatorWhy(tokens[path.next]) }
  const value = readValue(tokens[path.next + 1])
  if (value === undefined) return { ok: false, why: 'expected a JSON string, true or false after eq' }
  return { ok: true, value: { ...path.value, value }, next: path.next + 2 }
}

/**
 * Reads a `filter` query parameter. `known` lists the canonical attribute names that may be
 * filtered on (for example `['userName', 'externalId', 'emails', 'id']`).
 */
export function parseFilter (text: string, known: readonly string[]): { ok: true, clauses: FilterClause[] } | { ok: false, problem: ScimProblem } {
  const fail = (why: string): { ok: false, problem: ScimProblem } => ({
    ok: false,
    problem: { status: 400, scimType: 'invalidFilter', detail: `unsupported filter: ${why}. Supported are "attribute eq value" clauses joined by "and" (values a JSON string, true or false) on ${known.join(', ')}, e.g. userName eq "jo@example.com"` }
  })
  if (text.length > MAX_FILTER_LENGTH) return fail(`longer than ${MAX_FILTER_LENGTH} characters`)
  const tokens = tokenize(text)
  if (tokens === undefined) return fail('a string is unterminated or badly escaped')
  if (tokens.length === 0) return fail('the filter is empty')
  const r = readClauses(tokens, 0, (i) => readClause(tokens, i, known))
  return r.ok ? { ok: true, clauses: r.value } : fail(r.why)
}
