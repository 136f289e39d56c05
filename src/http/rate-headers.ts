/**
 * One reading of the headers that say when to come back: `Retry-After` (delay-seconds or an HTTP
 * date, RFC 9110 §10.2.3), the reset of a rate-limit window (`x-ratelimit-reset` as Enerflo sends
 * it, `X-Rate-Limit-Reset` as Okta does) and what is left of the window. Each client decides its
 * own floor, ceiling and default; these only read what the upstream said.
 */

function number (v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined
  const n = Number(v.trim())
  return Number.isFinite(n) ? n : undefined
}

/**
 * "Now" as the upstream saw it: absolute times in its headers are on its clock, so a skewed local
 * clock must not shorten or stretch the wait. Falls back to ours when it sent no Date.
 */
export function upstreamNow (headers: Record<string, string>): number {
  const date = Date.parse(headers['date'] ?? '')
  return Number.isNaN(date) ? Date.now() : date
}

/** Milliseconds from `now` that Retry-After asks for; undefined when absent, negative or unreadable. */
export function retryAfterMs (headers: Record<string, string>, now = upstreamNow(headers)): number | undefined {
  const v = headers['retry-after']
  if (v === undefined) return undefined
  const seconds = number(v)
  if (seconds !== undefined) return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** Milliseconds from `now` until the rate-limit window resets; 0 when the reset is already past. */
export function rateLimitResetMs (headers: Record<string, string>, now = upstreamNow(headers)): number | undefined {
  const n = number(headers['x-ratelimit-reset'] ?? headers['x-rate-limit-reset'])
  if (n === undefined || n < 0) return undefined
  // Large values can only be a Unix timestamp; small ones are a count of seconds.
  return Math.max(0, Math.ceil(n > 1e9 ? n * 1000 - now : n * 1000))
}

/** How long the answer asks us to wait: Retry-After, else the window's reset. */
export function askedWaitMs (headers: Record<string, string>, now = upstreamNow(headers)): number | undefined {
  return retryAfterMs(headers, now) ?? rateLimitResetMs(headers, now)
}

/** Requests left in the current window, when the upstream says. */
export function rateLimitRemaining (headers: Record<string, string>): number | undefined {
  const n = number(headers['x-ratelimit-remaining'] ?? headers['x-rate-limit-remaining'])
  return n === undefined ? undefined : Math.max(0, Math.floor(n))
}
