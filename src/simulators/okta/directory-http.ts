/**
 * How the local Okta directory answers: Okta's error body shape and the X-Rate-Limit-* headers
 * Okta puts on every response, so a client is tested against what Okta really sends.
 */
import { randomBytes } from 'node:crypto'
import type { ServerResponse } from 'node:http'

/** Okta's per-minute limit for /api/v1/users and friends on an Enterprise org, near enough. */
export const RATE_LIMIT = 600

export interface RateWindow {
  /** Counts a request; returns the headers to send and whether the window is exhausted. */
  take: () => { headers: Record<string, string>, exceeded: boolean }
  /** Headers for a 429 that the window itself did not cause (an injected fault). */
  exhausted: (resetInSec: number) => Record<string, string>
}

/**
 * One endpoint's limit as Okta counts it: a fixed window that starts with its first request and
 * ends at X-Rate-Limit-Reset (epoch seconds, rounded up so a client never thinks it over early).
 * `windowMs` is Okta's minute unless a bench scales it down.
 */
export function createRateWindow (limit = RATE_LIMIT, windowMs = 60_000): RateWindow {
  let resetAtMs = 0
  let used = 0
  const headers = (remaining: number, resetSec: number): Record<string, string> => ({
    'x-rate-limit-limit': String(limit),
    'x-rate-limit-remaining': String(remaining),
    'x-rate-limit-reset': String(resetSec)
  })
  return {
    take () {
      const now = Date.now()
      if (now >= resetAtMs) {
        resetAtMs = now + windowMs
        used = 0
      }
      used++
      return { headers: headers(Math.max(0, limit - used), Math.ceil(resetAtMs / 1000)), exceeded: used > limit }
    },
    exhausted: (resetInSec) => headers(0, Math.floor(Date.now() / 1000) + resetInSec)
  }
}

const SUMMARIES: Record<number, [string, string]> = {
  400: ['E0000001', 'Api validation failed'],
  401: ['E0000011', 'Invalid token provided'],
  403: ['E0000006', 'You do not have permission to perform the requested action'],
  404: ['E0000007', 'Not found: Resource not found'],
  429: ['E0000047', 'API call exceeded rate limit due to too many requests.']
}

/** An Okta error body; `summary` overrides the usual text for the status. */
export function oktaErrorBody (status: number, summary?: string, code?: string): Record<string, unknown> {
  const [usualCode, usualSummary] = SUMMARIES[status] ?? ['E0000009', 'Internal Server Error']
  const errorCode = code ?? usualCode
  return {
    errorCode,
    errorSummary: summary ?? usualSummary,
    errorLink: errorCode,
    errorId: `oae${randomBytes(11).toString('base64url')}`,
    errorCauses: []
  }
}

export function sendJson (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text)
  })
  res.end(text)
}
