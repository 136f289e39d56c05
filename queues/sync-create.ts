/**
 * CREATE_USERS: a provider user in a mapped role group whose email no Enerflo user has gets a new
 * Enerflo user (POST /api/v1/users: roles, first office, external_user_id = the provider's id),
 * is linked to it, and joins the directory at once. An email Enerflo says is taken (also by a
 * deleted user or another company's) parks the user with the reason and the fix; it is not
 * retried blindly, since every retry would be refused the same way.
 */
import { UpstreamError } from '../src/errors.js'
import type { CreatePlan } from '../src/sync/plan.js'
import type { SyncDeps, SyncOutcome } from './sync-processor.js'
import { newUserBody } from '../src/enerflo/new-user.js'

const TAKEN = /email has already been taken/i

export async function createInEnerflo (deps: SyncDeps, key: string, plan: CreatePlan, eventIds: string[], pause: (ms: number) => Promise<never>): Promise<{ outcome: SyncOutcome, fields?: string[] }> {
  const { store } = deps
  const at = new Date().toISOString()
  const userId = key.slice(key.indexOf(':') + 1)
  const body = newUserBody(plan.desired, userId, deps.createNotifyEmail === true)
  if (deps.shadow === true || deps.enerflo.addUser === undefined) {
    await store.recordOutcome(key, { at, outcome: 'shadow', eventIds, notes: [...plan.notes, 'would create this user in Enerflo (POST /api/v1/users)'] })
    return { outcome: 'shadow' }
  }
  const wait = await deps.budget.acquire()
  if (wait > 0) return await pause(wait)
  let id: number
  try {
    id = (await deps.enerflo.addUser(body)).id
  } catch (err) {
    if (!(err instanceof UpstreamError) || !TAKEN.test(err.message + JSON.stringify(err.body ?? ''))) throw err
    const holders = await deps.directory?.idsByEmail(body.email) ?? []
    const reason = `Enerflo says the email is already taken${holders.length > 0 ? ` by Enerflo user ${holders.join(', ')} (link it instead: PUT /ops/links/${key.replace(':', '/')})` : ' by a user the directory does not list (a deleted user, or another company\'s)'}; ` +
      'Enerflo\'s support suggests an alias of the address (for example name+1@domain) for the new user, or free the address in Enerflo'
    await store.recordOutcome(key, { at, outcome: 'unresolved', eventIds, notes: [...plan.notes, reason], reason })
    return { outcome: 'unresolved' }
  }
  const linked = await store.link(key, id)
  if (!linked.ok) throw new Error(`created Enerflo user ${id}, but it is already linked to ${linked.holder}`)
  const { email, roles, first_name: first, last_name: last, phone } = body
  await deps.directory?.add({ id, active: true, roles: [...roles].sort(), email: email.toLowerCase(), ...(first !== undefined && { first_name: first }), ...(last !== undefined && { last_name: last }), ...(phone !== undefined && { phone }), external_user_id: userId })
  // What Enerflo now holds is what the create sent: the rest (more offices, a manager for other
  // roles) differs from it and goes out with the next sync.
  const { notify_email: _n, allow_optimus: _a, external_user_id: _e, office_id: office, ...sent } = body
  const applied = { ...sent, active: true, roles: [...roles].sort(), ...(office !== undefined && { office_ids: [office] }) }
  await store.recordApplied(key, applied, { at, outcome: 'applied', eventIds, fields: Object.keys(body), notes: [...plan.notes, `created in Enerflo as user ${id} and linked`] })
  deps.logger.info({ userKey: key, enerfloUserId: id }, 'user created in Enerflo')
  await deps.managers?.arrived(email)
  return { outcome: 'applied', fields: Object.keys(body) }
}
