/**
 * The `filter` query reader: what Okta and Entra send (userName, externalId, the work email, a
 * random GUID id), canonical names, URN prefixes, escapes, and the refusals, in linear time.
 */
import t from 'tap'
import { parseFilter, parseValueFilter } from '../../src/scim/filter.js'
import { USER_ATTRIBUTES, USER_SCHEMA } from '../../src/scim/schema.js'
import { sampleText } from './samples.js'

const KNOWN = ['userName', 'externalId', 'emails', 'id', 'displayName'] as const
const clauses = (text: string): unknown => {
  const r = parseFilter(text, KNOWN)
  return r.ok ? r.clauses : { problem: r.problem }
}
const refused = (text: string): { status: number, scimType?: string, detail: string } => {
  const r = parseFilter(text, KNOWN)
  if (r.ok) throw new Error(`expected a refusal for ${text}, got ${JSON.stringify(r.clauses)}`)
  return r.problem
}

t.test('the Okta sample query', async (t) => {
  const line = sampleText('scim-okta-get-users-filter-username-request.http').split('\n')[0] ?? ''
  const url = new URL(line.split(' ')[1] ?? '', 'http://localhost')
  const filter = url.searchParams.get('filter') ?? ''
  t.equal(filter, 'userName eq "test.user@okta.local"')
  t.strictSame(clauses(filter), [{ attribute: 'userName', value: 'test.user@okta.local' }])
})

t.test('what Entra sends', async (t) => {
  t.strictSame(clauses('externalId eq "6c1b-44"'), [{ attribute: 'externalId', value: '6c1b-44' }])
  t.strictSame(clauses('emails[type eq "work"].value eq "jo@example.com"'), [{ attribute: 'emails', type: 'work', sub: 'value', value: 'jo@example.com' }])
  t.strictSame(clauses('id eq "9d5b1f8e-6f1c-4a47-9c6e-0d5a5b7c2f11"'), [{ attribute: 'id', value: '9d5b1f8e-6f1c-4a47-9c6e-0d5a5b7c2f11' }])
  t.strictSame(clauses('displayName eq "Sales Reps"'), [{ attribute: 'displayName', value: 'Sales Reps' }])
  t.strictSame(clauses('userName eq "a" and externalId eq "b"'), [{ attribute: 'userName', value: 'a' }, { attribute: 'externalId', value: 'b' }])
})

t.test('names and operators in any case, URN prefixes stripped', async (t) => {
  t.strictSame(clauses('USERNAME EQ "a" AND externalid Eq "b"'), [{ attribute: 'userName', value: 'a' }, { attribute: 'externalId', value: 'b' }])
  t.strictSame(clauses(`${USER_SCHEMA}:userName eq "a"`), [{ attribute: 'userName', value: 'a' }])
  t.strictSame(clauses('Emails.Value eq "x@y.z"'), [{ attribute: 'emails', sub: 'value', value: 'x@y.z' }])
  t.strictSame(clauses('emails[TYPE eq "work"].VALUE eq "x"'), [{ attribute: 'emails', type: 'work', sub: 'value', value: 'x' }])
  t.strictSame(clauses('emails[type eq "work"] eq "x"'), [{ attribute: 'emails', type: 'work', value: 'x' }])
})

t.test('values: JSON strings with escapes, true and false', async (t) => {
  t.strictSame(clauses('userName eq "a\\"b\\\\c\\u00e9"'), [{ attribute: 'userName', value: 'a"b\\cé' }])
  t.strictSame(clauses('userName eq "has ] and [ and ( and) and and"'), [{ attribute: 'userName', value: 'has ] and [ and ( and) and and' }])
  t.strictSame(clauses('displayName eq true'), [{ attribute: 'displayName', value: true }])
  t.strictSame(clauses('displayName eq FALSE'), [{ attribute: 'displayName', value: false }])
  t.strictSame(clauses('  userName   eq   ""  '), [{ attribute: 'userName', value: '' }])
})

t.test('everything else is an invalidFilter that says what is supported', async (t) => {
  const cases = [
    'userName eq "a" or userName eq "b"',
    'userName co "a"',
    'userName sw "a"',
    'userName pr',
    'not (userName eq "a")',
    '(userName eq "a")',
    'userName eq "a" and (externalId eq "b")',
    'title eq "x"',
    'emails.nothing eq "x"',
    'userName.value eq "x"',
    'id[type eq "x"] eq "y"',
    'emails[value eq "x"].value eq "y"',
    'emails[type eq "work" and primary eq true].value eq "y"',
    'emails[type eq "work"',
    'userName eq 42',
    'userName eq null',
    'userName eq unquoted',
    'userName eq "unterminated',
    'userName eq "bad \\q escape"',
    'userName eq "a" and',
    'userName eq "a" userName eq "b"',
    'userName',
    'userName eq',
    '',
    '   ',
    'userName=="a"',
    '"userName" eq "a"',
    `userName eq "${'x'.repeat(1000)}"`
  ]
  for (const text of cases) {
    const p = refused(text)
    t.equal(p.status, 400, text)
    t.equal(p.scimType, 'invalidFilter', text)
    t.match(p.detail, /Supported are "attribute eq value" clauses joined by "and"/, text)
  }
  t.match(refused('userName co "a"').detail, /operator "co" is not supported/)
  t.match(refused('a eq "b" or c eq "d"').detail, /cannot be filtered on/)
  t.match(refused('userName eq "a" or userName eq "b"').detail, /"or" is not supported/)
  t.match(refused('title eq "x"').detail, /"title" cannot be filtered on/)
  t.match(refused('x'.repeat(1001)).detail, /longer than 1000/)
})

t.test('the known list decides what may be filtered', async (t) => {
  const r = parseFilter('userName eq "a"', ['externalId'])
  t.equal(r.ok, false)
  t.ok(parseFilter('members.value eq "u-1"', ['members']).ok)
})

t.test('linear time on hostile input', async (t) => {
  const started = process.hrtime.bigint()
  parseFilter('"\\"'.repeat(300), KNOWN)
  parseFilter('emails[' + 'type eq "a" and '.repeat(60), KNOWN)
  parseFilter('userName eq "a" and '.repeat(49) + 'userName eq "a"', KNOWN)
  for (let i = 0; i < 2000; i++) parseFilter('[' .repeat(999), KNOWN)
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  t.ok(ms < 2000, `took ${ms} ms`)
  const long = parseFilter('userName eq "a" and '.repeat(49) + 'userName eq "a"', KNOWN)
  t.equal(long.ok && long.clauses.length, 50)
})

t.test('value filters for PATCH paths', async (t) => {
  const subs = USER_ATTRIBUTES.find((a) => a.name === 'emails')?.subAttributes ?? []
  t.strictSame(parseValueFilter('type eq "work"', subs), { ok: true, clauses: [{ attribute: 'type', value: 'work' }] })
  t.strictSame(parseValueFilter('VALUE eq "x" and Primary eq true', subs), { ok: true, clauses: [{ attribute: 'value', value: 'x' }, { attribute: 'primary', value: true }] })
  for (const bad of ['type co "w"', 'nothing eq "x"', '', 'type eq "a" or type eq "b"', 'type eq']) {
    const r = parseValueFilter(bad, subs)
    t.match(r, { ok: false, problem: { status: 400, scimType: 'invalidFilter' } }, bad)
  }
})
