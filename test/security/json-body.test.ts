import t, { type Test } from 'tap'
import { parseJsonBody } from '../../src/json-body.js'
import { SyncError } from '../../src/errors.js'

const refused = (t: Test, text: string, message: RegExp, what: string): void => {
  let caught: unknown
  try { parseJsonBody(text) } catch (err) { caught = err }
  t.ok(caught instanceof SyncError, `${what}: refused`)
  const e = caught as SyncError
  t.match({ status: e?.statusCode, code: e?.code, message: e?.message }, { status: 400, code: 'WEBHOOK_BODY', message }, what)
}

t.test('plain bodies parse; a BOM is dropped on either path', async (t) => {
  t.same(parseJsonBody('{"a":1,"b":[true,null]}'), { a: 1, b: [true, null] })
  t.same(parseJsonBody('\uFEFF{"a":1}'), { a: 1 }, 'BOM, no escapes (JSON.parse directly)')
  t.same(parseJsonBody('\uFEFF{"a":"\\u00e9"}'), { a: 'é' }, 'BOM and an escape (secure-json-parse)')
  t.same(parseJsonBody('{"note":"the constructor of __proto__ is a word here"}'), { note: 'the constructor of __proto__ is a word here' }, 'the words as values are not keys')
})

t.test('forbidden keys are refused however they are spelt', async (t) => {
  refused(t, '{"__proto__":{"polluted":1}}', /forbidden key/, '__proto__')
  refused(t, '{"\\u005f_proto__":{"polluted":1}}', /forbidden key/, '__proto__ with an escaped underscore')
  refused(t, '{"a":{"\\u005F\\u005Fproto\\u005F\\u005F":1}}', /forbidden key/, '__proto__ fully escaped, nested')
  refused(t, '{"constructor":{"prototype":{"polluted":1}}}', /forbidden key/, 'constructor.prototype')
  refused(t, '{"\\u0063onstructor":{"prototype":{"polluted":1}}}', /forbidden key/, 'constructor with an escape')
})

t.test('what is not JSON is a 400 that says so', async (t) => {
  for (const text of ['', '{', '{"a":}', '\uFEFF', 'nul', '{"a":1}}']) refused(t, text, /not valid JSON/, JSON.stringify(text))
})
