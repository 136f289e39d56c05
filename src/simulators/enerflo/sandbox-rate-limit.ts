/**
 * Enerflo's per-API-key budget as the sandbox enforces it: a fixed window that opens with the
 * first request (how Laravel's throttle middleware, which Enerflo answers with, counts), and the
 * headers and HTML 429 page Enerflo sends.
 */

export interface RateDecision {
  allowed: boolean
  headers: Record<string, string>
}

export interface RateLimiter {
  take (key: string, now?: number): RateDecision
  reset (): void
}

/** What Enerflo's 429 looks like: an HTML error page, not JSON. */
export const TOO_MANY_REQUESTS_HTML = '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Error</title></head>\n' +
  '<body><div class="flex-center position-ref full-height"><div class="content"><div class="title">Too Many Requests</div></div></div></body>\n</html>\n'

/** The headers of a 429 that tells the caller to wait `retryAfterSec`. */
export function tooManyHeaders (limit: number, retryAfterSec: number, now = Date.now()): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': '0',
    'retry-after': String(retryAfterSec),
    'x-ratelimit-reset': String(Math.ceil(now / 1000) + retryAfterSec)
  }
}

export function createRateLimiter (max: number, windowMs: number): RateLimiter {
  const windows = new Map<string, { start: number, count: number }>()
  return {
    take (key, now = Date.now()) {
      let w = windows.get(key)
      if (w === undefined || now >= w.start + windowMs) {
        w = { start: now, count: 0 }
        windows.set(key, w)
      }
      if (w.count >= max) {
        const retryAfterSec = Math.max(1, Math.ceil((w.start + windowMs - now) / 1000))
        return { allowed: false, headers: tooManyHeaders(max, retryAfterSec, now) }
      }
      w.count++
      return {
        allowed: true,
        headers: { 'x-ratelimit-limit': String(max), 'x-ratelimit-remaining': String(max - w.count) }
      }
    },
    reset () { windows.clear() }
  }
}
