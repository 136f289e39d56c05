import t from 'tap'
import { normalisePhone } from '../../src/mapping/phone.js'

t.test('the three formats Enerflo documents', async (t) => {
  for (const raw of ['555-555-5555', '5555555555', '(555) 555-5555']) {
    t.same(normalisePhone(raw), { phone: '5555555555' }, raw)
  }
})

t.test('country code 1 is removed, however written', async (t) => {
  for (const raw of ['+1 602-555-0101', '+16025550101', '1-602-555-0101', '16025550101', '1 (602) 555-0101', ' 602.555.0101 ']) {
    t.same(normalisePhone(raw), { phone: '6025550101' }, raw)
  }
  t.same(normalisePhone(6025550101), { phone: '6025550101' }, 'a number attribute')
})

t.test('an extension is dropped: Enerflo stores the main line only', async (t) => {
  for (const raw of ['602-555-0101 ext. 12', '602-555-0101 x12', '(602) 555-0101 #3', '+1 602 555 0101 extension 4']) {
    t.same(normalisePhone(raw), { phone: '6025550101' }, raw)
  }
})

t.test('no value is undefined, not a problem', async (t) => {
  for (const raw of [undefined, null, '', '   ']) t.equal(normalisePhone(raw), undefined)
})

t.test('anything else gets a reason that does not repeat the number', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    ['+44 20 7946 0958', /not a North American number \(country code \+44\)/],
    ['+52 55 1234 5678', /country code \+52/],
    ['555-0101', /not a 10-digit North American number \(7 digits\)/],
    ['602 555 01011', /11 digits/],
    ['001 602 555 0101', /not a 10-digit/],
    ['1-800-FLOWERS', /contains letters/],
    ['6025550101abc', /contains letters/],
    ['call me', /contains letters/],
    ['++', /not a phone number/],
    [{ number: '6025550101' }, /not text/],
    [-5, /not text/]
  ]
  for (const [raw, reason] of cases) {
    const r = normalisePhone(raw)
    t.ok(r !== undefined && 'reason' in r, String(raw))
    if (r === undefined || !('reason' in r)) continue
    t.match(r.reason, reason)
    t.notMatch(r.reason, /\d{4}/, 'no digits of the number in the reason')
  }
})
