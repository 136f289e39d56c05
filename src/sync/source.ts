/**
 * Who a user belongs to: the source (identity provider) and its user id, and the key that names
 * the pair everywhere (job deduplication, state, links, audit). Domain types: the queue, the
 * routes and the worker all use them, so they live here, not in queues/.
 */
export type Source = 'okta' | 'graph' | 'scim'

/** The key a user's jobs are deduplicated on, and its state is stored under. */
export function userKey (source: Source, userId: string): string {
  return `${source}:${userId}`
}

/** The source and id of a user key (the id may itself hold colons: only the first one splits). */
export function parseUserKey (key: string): { source: Source, userId: string } {
  const at = key.indexOf(':')
  return { source: key.slice(0, at) as Source, userId: key.slice(at + 1) }
}
