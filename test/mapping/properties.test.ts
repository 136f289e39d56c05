/**
 * Property tests for the pure mapping: whatever a provider holds (any profile values, unicode,
 * numbers, nulls, prototype-named keys, unknown statuses, any group names) and whatever mapping
 * file passes the start-up check, mapping never throws and never produces a value Enerflo would
 * misread; phone normalisation never throws and only ever yields ten digits; the diff is empty
 * against its own result and applying it leaves nothing to send.
 */
import t from 'tap'
import fc from 'fast-check'
import { mapOktaUser, OKTA_ACTIVE_STATUSES } from '../../src/mapping/okta.js'
import { mapGraphUser, type GraphManagerData, type GraphUserData } from '../../src/mapping/graph.js'
import { normalisePhone } from '../../src/mapping/phone.js'
import { applyDiff, diffFields } from '../../src/mapping/diff.js'
import { parseMapping, type Mapping } from '../../src/mapping/mapping-file.js'
import { DEFAULT_ROLE_NAMES } from '../../src/mapping/roles.js'
import type { EnerfloUserFields, MappingResult, OktaGroup, OktaUser } from '../../src/mapping/types.js'
import { MAPPING } from '../helpers/fixtures.js'
import { GRAPH_MAPPING } from '../helpers/graph-harness.js'

const RUNS = 5000

// ---- arbitraries ------------------------------------------------------------------------------

const text = fc.oneof(
  fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', ' ', '\t\n', '\u00a0', '\u200b', '\uFEFF', 'null', 'undefined', '__proto__')
)
const phoneText = fc.oneof(
  fc.stringMatching(/^\+?1?[ .-]?\(?[2-9][0-9]{2}\)?[ .-]?[2-9][0-9]{2}[ .-]?[0-9]{4}$/),
  fc.stringMatching(/^\+?1?[ .-]?\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}( ?(x|ext\.?|#|,) ?[0-9]{1,7})?$/),
  fc.stringMatching(/^(\+|00)[0-9][0-9 ()-]{5,20}$/),
  fc.stringMatching(/^[0-9A-Za-z ()+.-]{1,24}$/)
)
const emailText = fc.oneof(fc.emailAddress(), fc.emailAddress().map((e) => ` ${e.toUpperCase()} `), fc.stringMatching(/^[^@\s]{0,5}@[^@\s]{0,5}(\.[a-z]{0,3})?$/))
const idValue = fc.oneof(fc.integer(), fc.integer({ min: 1, max: 2147483647 }).map(String), fc.bigInt().map(String), fc.double(), fc.stringMatching(/^ ?[0-9]{0,12} ?$/))
const value: fc.Arbitrary<unknown> = fc.oneof(
  text, phoneText, emailText, idValue, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined),
  fc.array(fc.oneof(text, phoneText, fc.constant(null)), { maxLength: 3 }), fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 2 })
)

/** Own properties, set with defineProperty so `__proto__` and friends are real keys (as JSON.parse makes them). */
const record = (keys: fc.Arbitrary<string>, values: fc.Arbitrary<unknown>, maxLength = 14): fc.Arbitrary<Record<string, unknown>> =>
  fc.array(fc.tuple(keys, values), { maxLength }).map((pairs) => {
    const o: Record<string, unknown> = {}
    for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true })
    return o
  })

const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf']

/** Mostly a value of the field's kind, sometimes anything at all. */
const maybe = (a: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: a }, { weight: 1, arbitrary: value })

/** Known fields (each optional) plus stray keys, prototype-named ones among them. */
const withStrays = (known: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(record(fc.oneof(fc.constantFrom(...NASTY_KEYS), fc.string()), value, 4), known).map(([strays, fields]) => {
    for (const [k, v] of Object.entries(fields)) Object.defineProperty(strays, k, { value: v, enumerable: true, configurable: true, writable: true })
    return strays
  })

const GROUP_NAMES = ['Reps', 'Setters', 'Regional', 'Phoenix', 'Denver', 'Everyone']
const groupName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...GROUP_NAMES) }, { weight: 1, arbitrary: text })
const status = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...Object.keys(OKTA_ACTIVE_STATUSES)) }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: fc.constantFrom('active', 'DELETED', 'hasOwnProperty', '__proto__') })

const oktaUser: fc.Arbitrary<OktaUser> = fc.record({
  id: fc.string(),
  status,
  profile: withStrays(fc.record({
    firstName: maybe(text), lastName: maybe(text), email: maybe(emailText), login: maybe(emailText),
    mobilePhone: maybe(phoneText), primaryPhone: maybe(phoneText), managerEmail: maybe(emailText), enerfloUserId: maybe(idValue)
  }, { requiredKeys: [] }))
})
const oktaGroups: fc.Arbitrary<OktaGroup[]> = fc.array(fc.record({ id: fc.string(), profile: fc.record({ name: groupName }) }), { maxLength: 8 })

const extensionAttributes = withStrays(fc.record({ extensionAttribute3: maybe(idValue) }, { requiredKeys: [] }))
const graphUser: fc.Arbitrary<GraphUserData> = fc.tuple(fc.string(), withStrays(fc.record({
  givenName: maybe(text), surname: maybe(text), mail: maybe(emailText), userPrincipalName: maybe(emailText),
  mobilePhone: maybe(phoneText), businessPhones: maybe(fc.array(fc.oneof(phoneText, value), { maxLength: 3 })),
  accountEnabled: maybe(fc.boolean()), employeeId: maybe(idValue), onPremisesExtensionAttributes: maybe(extensionAttributes)
}, { requiredKeys: [] }))).map(([id, props]) => Object.assign(props, { id }))
const manager: fc.Arbitrary<GraphManagerData | null> = fc.option(fc.record({ mail: fc.option(fc.oneof(emailText, text)), userPrincipalName: fc.option(fc.oneof(emailText, text)) }))

const attribute = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('enerfloUserId', 'managerEmail', 'employeeId', 'onPremisesExtensionAttributes.extensionAttribute3') },
  { weight: 1, arbitrary: fc.constantFrom('constructor.prototype', '__proto__.x', ...NASTY_KEYS) },
  { weight: 1, arbitrary: fc.string({ minLength: 1 }) }
)
/** Any mapping file the start-up check accepts (and the test fixtures'). */
const mapping: fc.Arbitrary<Mapping> = fc.oneof(
  fc.constant(MAPPING), fc.constant(GRAPH_MAPPING),
  fc.record({
    identity: fc.record({
      okta: fc.record({ enerfloUserIdAttribute: attribute, managerEmailAttribute: attribute }, { requiredKeys: [] }),
      graph: fc.record({ enerfloUserIdAttribute: attribute }, { requiredKeys: [] })
    }, { requiredKeys: [] }),
    roles: fc.uniqueArray(fc.record({ group: groupName.filter((g) => g !== ''), roles: fc.uniqueArray(fc.constantFrom(...DEFAULT_ROLE_NAMES), { minLength: 1 }) }), { selector: (e) => e.group, maxLength: 6 }),
    offices: fc.uniqueArray(fc.record({ group: groupName.filter((g) => g !== ''), officeId: fc.integer({ min: 1, max: 2147483647 }) }), { selector: (e) => e.group, maxLength: 6 })
  })
).map((json) => parseMapping(json)).filter((r) => r.ok).map((r) => (r as { mapping: Mapping }).mapping)

const fields: fc.Arbitrary<EnerfloUserFields> = fc.record({
  first_name: fc.string({ minLength: 1 }),
  last_name: fc.string({ minLength: 1 }),
  email: fc.emailAddress(),
  phone: fc.stringMatching(/^[2-9][0-9]{9}$/),
  active: fc.boolean(),
  manager_email: fc.emailAddress(),
  roles: fc.uniqueArray(fc.constantFrom(...DEFAULT_ROLE_NAMES)),
  office_ids: fc.uniqueArray(fc.integer({ min: 1, max: 2147483647 }), { maxLength: 4 })
}, { requiredKeys: [] })

// ---- invariants of a mapping result -------------------------------------------------------------

/** What Enerflo would misread: blanks, untrimmed text, a phone that is not ten digits, … */
function problems (result: MappingResult): string[] {
  const out: string[] = []
  const d = result.desired
  for (const [k, v] of Object.entries(d)) {
    if (v === undefined || v === null || v === '') out.push(`${k} is ${JSON.stringify(v)}`)
    if (typeof v === 'string' && v.trim() !== v) out.push(`${k} is not trimmed`)
    if (Array.isArray(v) && v.some((x) => x === '' || x === null || x === undefined)) out.push(`${k} holds a blank`)
  }
  if (d.phone !== undefined && !/^[2-9]\d{9}$/.test(d.phone)) out.push(`phone ${d.phone} is not ten digits`)
  for (const k of ['email', 'manager_email'] as const) {
    const e = d[k]
    if (e !== undefined && (e !== e.toLowerCase() || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e))) out.push(`${k} ${e} is not a lower-case address`)
  }
  if (d.active !== undefined && typeof d.active !== 'boolean') out.push('active is not a boolean')
  if (d.roles !== undefined && (d.roles.length === 0 || d.roles.some((r) => !DEFAULT_ROLE_NAMES.includes(r)) || [...d.roles].sort().join('\n') !== d.roles.join('\n') || new Set(d.roles).size !== d.roles.length)) out.push('roles are not sorted, unique Role Names')
  if (d.office_ids !== undefined && (d.office_ids.length === 0 || d.office_ids.some((id) => !Number.isInteger(id) || id < 1 || id > 2147483647) || (d.office_ids.length > 1 && d.roles?.includes('Regional Manager') !== true))) out.push('office_ids are not valid for the roles')
  if (result.enerfloUserId !== undefined && !(Number.isInteger(result.enerfloUserId) && result.enerfloUserId >= 1 && result.enerfloUserId <= 2147483647)) out.push('enerfloUserId out of range')
  for (const n of result.notes) if (typeof n.reason !== 'string' || n.reason === '') out.push(`empty note on ${n.field}`)
  // The map → diff → apply round trip on the result itself.
  const applied = applyDiff(undefined, d)
  if (Object.keys(diffFields(d, applied)).length > 0) out.push('diff against its own result is not empty')
  return out
}

/** A note never quotes a phone number or email address it was given. */
function quotes (result: MappingResult, given: unknown[]): string[] {
  // Only what is personal: seven digits or more, or an @.
  const values = given.filter((v): v is string => typeof v === 'string' && v.trim().length >= 6 && (/(\d\D*){7}/.test(v) || v.includes('@')))
  return result.notes.flatMap((n) => values.filter((v) => n.reason.includes(v.trim())).map((v) => `${n.field} note quotes ${JSON.stringify(v)}`))
}

const check = (ok: boolean, message: string): boolean => {
  if (!ok) throw new Error(message)
  return true
}

// ---- properties ---------------------------------------------------------------------------------

t.test('mapOktaUser: any Okta user, any groups, any accepted mapping → no throw, nothing Enerflo would misread', async (t) => {
  fc.assert(fc.property(oktaUser, oktaGroups, mapping, (user, groups, m) => {
    const result = mapOktaUser(user, groups, m)
    const p = [...problems(result), ...quotes(result, [user.profile['mobilePhone'], user.profile['primaryPhone'], user.profile['email'], user.profile['login']])]
    return check(p.length === 0, p.join('; '))
  }), { numRuns: RUNS })
  fc.assert(fc.property(oktaGroups, mapping, (groups, m) => check(problems(mapOktaUser(null, groups, m)).length === 0, 'a deleted user')), { numRuns: 200 })
  t.pass(`${RUNS} random Okta users`)
})

t.test('mapGraphUser: any Graph user, manager and group names → no throw, nothing Enerflo would misread', async (t) => {
  fc.assert(fc.property(graphUser, manager, fc.array(groupName, { maxLength: 8 }), mapping, (user, boss, groups, m) => {
    const result = mapGraphUser(user, boss, groups, m)
    const business = Array.isArray(user['businessPhones']) ? user['businessPhones'][0] as unknown : undefined
    const p = [...problems(result), ...quotes(result, [user['mobilePhone'], business, user['mail'], user['userPrincipalName']])]
    return check(p.length === 0, p.join('; '))
  }), { numRuns: RUNS })
  t.pass(`${RUNS} random Graph users`)
})

t.test('normalisePhone: never throws; a phone is always ten digits, stable, and a reason never quotes the input', async (t) => {
  const check10 = (raw: unknown): boolean => {
    const r = normalisePhone(raw)
    if (r === undefined) return true
    if ('phone' in r) return check(/^[2-9]\d{9}$/.test(r.phone) && normalisePhone(r.phone) !== undefined && JSON.stringify(normalisePhone(r.phone)) === JSON.stringify(r), `phone ${r.phone} from ${String(raw)}`)
    const digits = typeof raw === 'string' ? raw.replace(/\D/g, '') : ''
    return check(typeof r.reason === 'string' && r.reason !== '' && (digits.length < 7 || !r.reason.includes(digits)), `reason ${JSON.stringify(r.reason)}`)
  }
  fc.assert(fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withObjectString: true, withNullPrototype: true, withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true }), check10), { numRuns: RUNS })
  fc.assert(fc.property(fc.oneof(phoneText, text, fc.integer(), fc.double(), fc.bigInt()), check10), { numRuns: RUNS })
  t.same(normalisePhone({ toString: () => '6025550101' }), { reason: 'not a phone number (not text)' }, 'an object that pretends to be text is not text')
})

t.test('diff and apply: identities', async (t) => {
  const n = RUNS
  fc.assert(fc.property(fields, (d) => check(Object.keys(diffFields(d, applyDiff(undefined, d))).length === 0, 'diff(d, apply(∅, d)) ≠ {}')), { numRuns: n })
  fc.assert(fc.property(fields, (d) => check(Object.keys(diffFields(d, d)).length === 0, 'diff(d, d) ≠ {}')), { numRuns: n })
  fc.assert(fc.property(fields, fc.option(fields, { nil: undefined }), (desired, applied) => {
    const changes = diffFields(desired, applied)
    const next = applyDiff(applied, changes)
    check(Object.keys(diffFields(desired, next)).length === 0, 'after applying the diff, something is still to send')
    check(Object.keys(changes).every((k) => (desired as Record<string, unknown>)[k] !== undefined), 'the diff has a field desired does not')
    check(Object.values(changes).every((v) => v !== '' && v !== undefined), 'the diff holds a blank')
    // Nothing desired is lost, nothing applied but not desired is touched.
    for (const [k, v] of Object.entries(applied ?? {})) if (!(k in desired)) check(JSON.stringify((next as Record<string, unknown>)[k]) === JSON.stringify(v), `${k} changed though not desired`)
    return true
  }), { numRuns: n })
  fc.assert(fc.property(fields, (applied) => check(JSON.stringify(applyDiff(applied, {})) === JSON.stringify(applied), 'apply(a, {}) ≠ a')), { numRuns: n })
  fc.assert(fc.property(fields, fields, (desired, applied) => {
    const before = JSON.stringify([desired, applied])
    const next = applyDiff(applied, diffFields(desired, applied))
    next.roles?.push('mutated')
    next.office_ids?.push(-1)
    return check(JSON.stringify([desired, applied]) === before, 'apply or diff shares an array with its inputs')
  }), { numRuns: n })
  // Roles are a set: any order of the same roles is no change.
  fc.assert(fc.property(fc.uniqueArray(fc.constantFrom(...DEFAULT_ROLE_NAMES), { minLength: 1 }), (roles) =>
    check(Object.keys(diffFields({ roles: [...roles].reverse() }, { roles })).length === 0, 'reordered roles are a change')), { numRuns: 500 })
  t.pass(`${n} runs per identity`)
})
