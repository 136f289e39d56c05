/**
 * What Enerflo's refusals mean, in the words an operator needs: one sentence per thing to fix,
 * from what Enerflo said (Laravel-style `{ message, errors: { field: [msg] } }`) and what was sent.
 */
import type { EnerfloUpdateBody } from '../mapping/types.js'
import { DEFAULT_ROLE_NAMES } from '../mapping/roles.js'
import { DEFAULT_ROLE_SLUGS } from './roles.js'

/** Laravel-style `{ message, errors: { field: [msg] } }`, read defensively. */
export function reasons (body: unknown): { message: string | undefined, errors: Array<[string, string]> } {
  if (body === null || typeof body !== 'object') return { message: typeof body === 'string' && body !== '' ? body : undefined, errors: [] }
  const b = body as { message?: unknown, error?: unknown, errors?: unknown }
  const message = typeof b.message === 'string' ? b.message : typeof b.error === 'string' ? b.error : undefined
  const errors: Array<[string, string]> = []
  const add = (field: string, v: unknown): void => {
    for (const m of Array.isArray(v) ? v : [v]) if (typeof m === 'string') errors.push([field, m.slice(0, 300)])
  }
  if (Array.isArray(b.errors)) add('', b.errors)
  else if (b.errors !== null && typeof b.errors === 'object') for (const [f, v] of Object.entries(b.errors)) add(f, v)
  return { message: message?.slice(0, 300), errors }
}

/** One sentence per thing the operator must fix, from what Enerflo said and what we sent. */
export function describeRejection (status: number, body: unknown, sent: EnerfloUpdateBody): string {
  const { message, errors } = reasons(body)
  const id = sent.id
  const all = [message ?? '', ...errors.map(([, m]) => m)].join(' ')
  if (status === 404 || errors.some(([f]) => f === 'id') || /user\b.*not found|selected id is invalid|no query results/i.test(all)) {
    return `Enerflo has no user with id ${id}: the stored link or the identity attribute points at a user Enerflo does not have; ` +
      'fix the Enerflo user id at the identity provider (or clear the stored link)'
  }
  const out: string[] = []
  for (const [field, m] of errors.length > 0 ? errors : [['', message ?? ''] as [string, string]]) {
    if (/survey|appointment|attributed|reassign/i.test(m)) {
      const role = DEFAULT_ROLE_NAMES.find((r) => m.toLowerCase().includes(r.toLowerCase()))
      out.push(`Enerflo refused to remove the ${role ?? 'Sales Rep or Setter'} role from user ${id}: surveys or appointments are still attributed to the user in that role; ` +
        'reassign them in Enerflo first, then retry this user')
    } else if (field === 'email' || /email has already been taken/i.test(m)) {
      out.push(/taken/i.test(m)
        ? `Enerflo says the email ${sent.email ?? '(unknown)'} is already taken by another user; free it in Enerflo (it may belong to another user, another company or a deleted user) or change the email at the identity provider`
        : `Enerflo rejected the email of user ${id}: ${m}`)
    } else if (field === 'phone') {
      out.push(`Enerflo rejected the phone of user ${id}: ${m}; Enerflo takes a 10-digit number, fix it at the identity provider`)
    } else if (field === 'manager_email') {
      out.push(`Enerflo rejected manager_email ${sent.manager_email ?? ''} for user ${id}: ${m}; the manager must be an Enerflo user with that email`)
    } else if (field === 'roles') {
      out.push(`Enerflo rejected the roles of user ${id}: ${m}; use Enerflo Role Names (not slugs) in the mapping file`)
    } else if (field === 'office_ids') {
      out.push(`Enerflo rejected office_ids of user ${id}: ${m}; check the office ids in the mapping file`)
    } else if (field !== '') {
      out.push(`Enerflo rejected ${field} of user ${id}: ${m}`)
    }
  }
  return out.length > 0
    ? out.join('. ')
    : `Enerflo rejected the update of user ${id} (HTTP ${status}): ${message ?? 'no reason given'}`
}


const ATTRIBUTED = /survey|appointment|attributed|reassign/i

/**
 * When Enerflo's refusal is only that roles cannot be removed while surveys or appointments are
 * attributed to the user: which of the `removed` roles it names (all of them when it names none)
 * and its words. Undefined when it refused anything else too, so that goes the usual way.
 */
export function refusedRemovals (body: unknown, removed: readonly string[], sent: readonly string[] = []): { roles: string[], enerflo: string } | undefined {
  const { message, errors } = reasons(body)
  const said = errors.length > 0 ? errors : message !== undefined ? [['', message] as [string, string]] : []
  if (said.length === 0 || !said.every(([field, m]) => (field === '' || field === 'roles') && ATTRIBUTED.test(m))) return undefined
  const words = said.map(([, m]) => m)
  const mentioned = (r: string): boolean => words.some((m) => m.toLowerCase().includes(r.toLowerCase()))
  const named = removed.filter(mentioned)
  if (named.length > 0 || removed.length > 0) return { roles: named.length > 0 ? named : [...removed], enerflo: words.join(' ') }
  // What Enerflo held was not known (a first sync before its user list was read): the roles it
  // names that the PUT left out are the ones it refused to remove.
  const guessed = [...new Set([...DEFAULT_ROLE_NAMES, ...Object.values(DEFAULT_ROLE_SLUGS)])].filter((r) => !sent.includes(r) && mentioned(r))
  return guessed.length > 0 ? { roles: guessed, enerflo: words.join(' ') } : undefined
}

/** What an operator does about a blocked removal, and when the service tries again by itself. */
export function blockedRemovalFix (roles: readonly string[], enerfloId: number, userKey: string, retryEvery: string): string {
  return `reassign the surveys and appointments attributed to Enerflo user ${enerfloId} as ${roles.join(' and ')} to another user in Enerflo ` +
    '(for example with Enerflo\'s "Update the details of a customer", PUT /api/v3/customers/{id} with the new setter or sales rep); ' +
    `the service tries the removal again every ${retryEvery}, or at once with \`enerflo-user-sync blocked --retry ${userKey}\` (POST /ops/blocked/retry)`
}
