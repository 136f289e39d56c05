import t from 'tap'
import { matchesAnySecret } from '../../src/secret.js'

const current = 'c'.repeat(20) + 'current-secret-0123456789'
const previous = 'p'.repeat(20) + 'previous-secret-012345678'

t.test('a secret matches only itself: any accepted one, never a prefix, an extension or another of the same length', async (t) => {
  t.equal(matchesAnySecret(current, [current]), true, 'the current secret')
  t.equal(matchesAnySecret(previous, [current, previous]), true, 'the previous secret during rotation')
  t.equal(matchesAnySecret(current, [current, previous]), true, 'the current secret during rotation')
  const sameLength = current.slice(0, -1) + (current.endsWith('9') ? '8' : '9')
  t.equal(sameLength.length, current.length)
  t.equal(matchesAnySecret(sameLength, [current, previous]), false, 'one byte off, same length')
  t.equal(matchesAnySecret(current.slice(0, -1), [current]), false, 'a prefix')
  t.equal(matchesAnySecret(`${current}x`, [current]), false, 'an extension')
  t.equal(matchesAnySecret('', [current]), false, 'empty')
  t.equal(matchesAnySecret(undefined, [current]), false, 'no header at all')
  t.equal(matchesAnySecret(current, []), false, 'nothing accepted')
})

t.test('lengths are compared in bytes, not characters', async (t) => {
  // 'é' is two bytes in UTF-8: 'abcé' and 'abcde' are both five bytes, and different.
  t.equal(matchesAnySecret('abcde', ['abcé']), false)
  t.equal(matchesAnySecret('abcé', ['abcé']), true)
  t.equal(matchesAnySecret('abce', ['abcé']), false, 'same characters count, fewer bytes')
})

t.test('an empty accepted secret never matches a missing header', async (t) => {
  t.equal(matchesAnySecret(undefined, ['']), false)
})
