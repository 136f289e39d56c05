/**
 * An update whose new email Enerflo refuses as "The email has already been taken." (issue 14 item
 * 4). Enerflo says so also for a deleted user's address and for another company's user, so the
 * directory may not list the holder. The job fails for good at once (a dead letter, listed with
 * the fix): every retry would be refused the same way until a person frees the address or changes
 * it at the provider, and then `retry` (or the provider's next change) syncs the user again. The
 * reason names the holder when the directory knows it and gives Enerflo support's alias fix.
 */
import { UpstreamError } from '../src/errors.js'
import { reasons } from '../src/enerflo/rejection.js'
import type { EnerfloUpdateBody } from '../src/mapping/types.js'
import type { SyncDeps } from './sync-processor.js'

const TAKEN = /email has already been taken/i

/** Why the update failed, in words, when the refusal is only that the new email is taken; else undefined. */
export async function emailTakenReason (deps: Pick<SyncDeps, 'directory'>, body: EnerfloUpdateBody, err: unknown): Promise<string | undefined> {
  if (!(err instanceof UpstreamError) || err.status < 400 || err.status >= 500 || body.email === undefined) return undefined
  const { message, errors } = reasons(err.body)
  const said = errors.length > 0 ? errors.map(([, m]) => m) : message !== undefined ? [message] : []
  if (said.length === 0 || !said.every((m) => TAKEN.test(m))) return undefined
  const holders = (await deps.directory?.idsByEmail(body.email.toLowerCase()) ?? []).filter((id) => id !== body.id)
  const holder = holders.length > 0
    ? ` by Enerflo user ${holders.join(', ')} (if that is the same person, link this identity to it instead)`
    : ' by a user the directory does not list (a deleted user, or another company\'s)'
  return `Enerflo refused the new email ${body.email} of user ${body.id}: it is already taken${holder}; ` +
    'Enerflo\'s support suggests an alias of the address (for example name+1@domain) at the identity provider, or free the address in Enerflo; then retry this user'
}

/**
 * The error to fail the job with for good when the refusal is only that the new email is taken:
 * Enerflo's refusal with the holder and the fix in its words. Undefined for any other answer.
 */
export async function emailTakenFailure (deps: Pick<SyncDeps, 'directory'>, body: EnerfloUpdateBody, err: unknown): Promise<UpstreamError | undefined> {
  const reason = await emailTakenReason(deps, body, err)
  if (reason === undefined || !(err instanceof UpstreamError)) return undefined
  return new UpstreamError(err.code, reason, { status: err.status, headers: err.headers, body: err.body, transient: false, cause: err })
}
