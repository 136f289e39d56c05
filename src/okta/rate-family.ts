/**
 * Okta counts its rate limits per endpoint (FACTS.md §2): the users list (GET/POST /api/v1/users),
 * one user by id, the groups API, and the rest of /api/v1 (a user's groups, lifecycle) each have
 * their own limit per minute. The service's limiter (limiter.ts) and the local Okta directory
 * both bucket a request with this, so each family is paced by the headers of its own answers.
 */
export type OktaFamily = 'users' | 'user' | 'groups' | 'other'

export const OKTA_FAMILIES: readonly OktaFamily[] = ['users', 'user', 'groups', 'other']

/** The family of a request to `path` (the URL's path, with or without its query). */
export function oktaFamily (method: string, path: string): OktaFamily {
  const p = (path.split('?')[0] ?? '').replace(/\/+$/, '')
  if (p === '/api/v1/users') return 'users'
  if (p.startsWith('/api/v1/groups')) return 'groups'
  if (method === 'GET' && /^\/api\/v1\/users\/[^/]+$/.test(p)) return 'user'
  return 'other'
}
