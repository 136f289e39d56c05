/**
 * The one rule for a provider's user id, used by every receiver, operator route, import and
 * client. Okta's ids are 20 letters and digits and Entra's are GUIDs; anything outside this rule is
 * not a user we can sync, address in /ops or keep out of logs. An id made only of dots would be a
 * dot segment in an upstream URL (`/users/..`), and an `@` means an email address, which would end
 * up in job data, keys and logs.
 */
export const USER_ID_PATTERN = '^(?!\\.+$)[A-Za-z0-9._-]{1,200}$'
const USER_ID = new RegExp(USER_ID_PATTERN)

export function isUserId (value: unknown): value is string {
  return typeof value === 'string' && USER_ID.test(value)
}

/** A path segment for an upstream URL: only ids that pass the rule, always percent-encoded. */
export function idSegment (id: string): string {
  if (!isUserId(id)) throw new TypeError('not a user id: refusing to build an upstream URL from it')
  return encodeURIComponent(id)
}
