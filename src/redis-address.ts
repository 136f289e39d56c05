/**
 * The Redis address as a person may read it: the URL with its password replaced, for the banner
 * and the status reasons (never the URL itself, which may carry a password).
 */
export function redisAddress (url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString().replace(/\/$/, '')
  } catch {
    return 'REDIS_URL'
  }
}
