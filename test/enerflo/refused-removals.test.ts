/**
 * refusedRemovals: when Enerflo's refusal is only "this role cannot be removed while surveys or
 * appointments are attributed", which roles; anything else it refused too means undefined.
 */
import t from 'tap'
import { blockedRemovalFix, refusedRemovals } from '../../src/enerflo/rejection.js'

const laravel = (errors: Record<string, string[]>) => ({ message: 'The given data was invalid.', errors })

t.test('the roles it names, among those removed', async (t) => {
  const body = laravel({ roles: ['The Setter role cannot be removed: the user has 2 surveys and 0 appointments attributed. Reassign them first.'] })
  t.same(refusedRemovals(body, ['Setter', 'Sales Rep']), { roles: ['Setter'], enerflo: 'The Setter role cannot be removed: the user has 2 surveys and 0 appointments attributed. Reassign them first.' })
  t.same(refusedRemovals({ message: 'Cannot remove role: appointments are attributed to this user.' }, ['Sales Rep'])?.roles, ['Sales Rep'], 'a message naming no role: every removed role')
})

t.test('nothing removed that we know of: the roles it names that the PUT left out', async (t) => {
  const body = laravel({ roles: ['The Setter role cannot be removed: the user has 2 surveys attributed.'] })
  t.same(refusedRemovals(body, [], ['Sales Rep'])?.roles, ['Setter'])
  t.equal(refusedRemovals(body, [], ['Sales Rep', 'Setter']), undefined, 'a role it names that was sent is no removal')
})

t.test('anything else refused too, or another refusal: undefined', async (t) => {
  t.equal(refusedRemovals(laravel({ roles: ['The Setter role cannot be removed: 2 surveys attributed.'], phone: ['The phone format is invalid.'] }), ['Setter']), undefined)
  t.equal(refusedRemovals(laravel({ roles: ['Invalid role name'] }), ['Setter']), undefined)
  t.equal(refusedRemovals(laravel({ email: ['The email has already been taken.'] }), ['Setter']), undefined)
  t.equal(refusedRemovals(undefined, ['Setter']), undefined)
})

t.test('the fix names the user, the roles, the recipe and the retry', async (t) => {
  const fix = blockedRemovalFix(['Setter'], 503, 'okta:00u1', 'hour')
  t.match(fix, /attributed to Enerflo user 503 as Setter/)
  t.match(fix, /"Update the details of a customer"/)
  t.match(fix, /again every hour, or at once with `enerflo-user-sync blocked --retry okta:00u1`/)
})
