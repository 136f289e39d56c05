/**
 * Reading Enerflo's rate-limit headers. Enerflo sends `x-ratelimit-remaining` on every answer and,
 * on a 429, `retry-after` in seconds and `x-ratelimit-reset` as epoch seconds (its docs show
 * `"retry-after": "41"`, `"x-ratelimit-reset": "1711037985"`). We also accept the other forms
 * those headers take elsewhere (an HTTP date, seconds from now) rather than guess wrong.
 */

/** When a 429 says nothing usable about when to come back: one documented window. */
export const DEFAULT_RETRY_AFTER_MS = 60_000

/** undici gives string | string[] | undefined; one header, one string. */
export { flattenHeaders } from '../http-body.js'

function number (v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined
  const n = Number(v.trim())
  return Number.isFinite(n) ? n : undefined
}

export function rateLimitRemaining (headers: Record<string, string>): number | undefined {
  const n = number(headers['x-ratelimit-remaining'])
  return n === undefined ? undefined : Math.max(0, Math.floor(n))
}

/** Milliseconds from `now` until the window resets, per `x-ratelimit-reset`. */
export function rateLimitResetMs (headers: Record<string, string>, now = Date.now()): number | undefined {
  const n = number(headers['x-ratelimit-reset'])
  if (n === undefined || n < 0) return undefined
  // Large values can only be a Unix timestamp; small ones are a count of seconds.
  return Math.max(0, Math.ceil(n > 1e9 ? n * 1000 - now : n * 1000))
}

/** Milliseconds from `now` that a `retry-after` (seconds or HTTP date) asks for. */
export function retryAfterMs (headers: Record<string, string>, now = Date.now()): number | undefined {
  const v = headers['retry-after']
  if (v === undefined) return undefined
  const seconds = number(v)
  if (seconds !== undefined) return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** How long a 429 asks us to wait: retry-after, else the window reset, else one window. */
export function rateLimitedForMs (headers: Record<string, string>, now = Date.now()): number {
  return retryAfterMs(headers, now) ?? rateLimitResetMs(headers, now) ?? DEFAULT_RETRY_AFTER_MS
}
