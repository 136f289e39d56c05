/**
 * One Okta limiter for every caller in every process: the workers' user and group reads, the
 * passes' lists and the credential check. Okta's limits are per org and shared with every other
 * integration, so the service keeps to OKTA_RATE_LIMIT_FRACTION of each endpoint family's limit
 * (rate-family.ts) and never takes the org's last request. It is in Redis, not in each process:
 * with several worker processes a per-process share would be spent once per process.
 *
 * It learns from Okta's own answers rather than from a configured number. X-Rate-Limit-Limit
 * gives the limit; X-Rate-Limit-Reset names Okta's window (its end, on Okta's clock, read against
 * the answer's Date), so each answer is counted in the window Okta counted it in; and
 * X-Rate-Limit-Remaining says what the whole org has left. A call goes when our answers counted in
 * the current window plus the calls still in flight are under our share, and when Okta's lowest
 * remaining of the window, less the calls in flight, leaves at least one. Until a window's first
 * answer says what is left, one call at a time goes (other integrations may have spent it all),
 * and before any answer the limit is taken to be Okta's lowest (100 a minute, a free developer org).
 */
import type { Redis } from 'ioredis'
import { setTimeout as sleep } from 'node:timers/promises'
import { UpstreamError } from '../errors.js'
import { rateLimitRemaining, rateLimitResetMs, retryAfterMs, upstreamNow } from '../http/rate-headers.js'
import type { OktaFamily } from './rate-family.js'

/** Okta's lowest documented limit per minute: assumed until an answer says otherwise. */
export const DEFAULT_OKTA_LIMIT = 100
/** A call that never reported back (its process died) stops counting as in flight after this. */
const STALE_MS = 60_000
/** Okta's window, for answers that carry no reset. */
const WINDOW_MS = 60_000
/** How soon to look again when the window's end is not known yet (its first answers are on the way). */
const POLL_MS = 50

const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
local h = redis.call('HMGET', KEYS[1], 'limit', 'wend', 'obs', 'rem', 'pause')
local pause = tonumber(h[5]) or 0
if pause > now then return {pause - now, 0} end
local limit = tonumber(h[1]) or tonumber(ARGV[2])
local wend = tonumber(h[2])
local obs = tonumber(h[3]) or 0
local rem = tonumber(h[4])
if wend ~= nil and now >= wend then
  redis.call('HSET', KEYS[1], 'obs', 0, 'ended', 1)
  redis.call('HDEL', KEYS[1], 'rem', 'wend')
  wend = nil
  obs = 0
  rem = nil
end
local flying = redis.call('ZCARD', KEYS[2])
local share = math.max(1, math.floor(limit * tonumber(ARGV[1])))
if obs + flying >= share or (rem ~= nil and rem - flying <= 1) or (rem == nil and flying > 0) then
  if wend ~= nil then return {math.max(1, wend - now), 0} end
  return {tonumber(ARGV[4]), 0}
end
local ticket = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('ZADD', KEYS[2], now, ticket)
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]) * 2)
return {0, ticket}
`

const OBSERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'limit', ARGV[4]) end
local pauseMs = tonumber(ARGV[6])
if pauseMs ~= nil then
  local p = now + pauseMs
  if p > (tonumber(redis.call('HGET', KEYS[1], 'pause')) or 0) then redis.call('HSET', KEYS[1], 'pause', p) end
end
if ARGV[7] == '0' then return 0 end
local wid = tonumber(ARGV[2])
local resetMs = tonumber(ARGV[3])
local remaining = tonumber(ARGV[5])
local h = redis.call('HMGET', KEYS[1], 'wid', 'wend', 'ended', 'rem')
local cur = tonumber(h[1])
local ended = h[3] == '1'
if wid == nil or resetMs == nil then
  if h[2] == false then
    redis.call('HSET', KEYS[1], 'wid', 0, 'wend', now + tonumber(ARGV[8]), 'obs', 1, 'ended', 0)
  else
    redis.call('HINCRBY', KEYS[1], 'obs', 1)
  end
  return 1
end
if cur == nil or wid > cur then
  redis.call('HSET', KEYS[1], 'wid', wid, 'wend', now + resetMs, 'obs', 1, 'ended', 0)
  if remaining ~= nil then redis.call('HSET', KEYS[1], 'rem', remaining) else redis.call('HDEL', KEYS[1], 'rem') end
elseif wid == cur and not ended then
  redis.call('HINCRBY', KEYS[1], 'obs', 1)
  local rem = tonumber(h[4])
  if remaining ~= nil and (rem == nil or remaining < rem) then redis.call('HSET', KEYS[1], 'rem', remaining) end
end
return 1
`

export type Take = { ticket: number } | { waitMs: number }

export interface OktaLimiter {
  /** A ticket when a call of this family may go now (it counts as in flight), else how long to wait. */
  take: (family: OktaFamily) => Promise<Take>
  /**
   * What became of the call: its answer's status and headers, or none (no answer: it only stops
   * counting as in flight). A 429 stops the family until Okta's reset.
   */
  observe: (family: OktaFamily, ticket: number, answer?: { status: number, headers: Record<string, string> }) => Promise<void>
}

export function createOktaLimiter (redis: Redis, opts: { prefix: string, fraction: number }): OktaLimiter {
  // One script touches both keys: the braces keep them in one Redis Cluster slot (a prefix with
  // its own {hash tag} wins, and keeps them together just the same).
  const keys = (family: OktaFamily): [string, string] => [`${opts.prefix}:okta-limit:{${family}}`, `${opts.prefix}:okta-limit:{${family}}:inflight`]
  return {
    async take (family) {
      const [wait, ticket] = await redis.eval(TAKE, 2, ...keys(family), opts.fraction, DEFAULT_OKTA_LIMIT, STALE_MS, POLL_MS) as [number, number]
      return wait > 0 ? { waitMs: Number(wait) } : { ticket: Number(ticket) }
    },
    async observe (family, ticket, answer) {
      const h = answer?.headers ?? {}
      const now = upstreamNow(h)
      const reset = h['x-rate-limit-reset']
      const resetMs = rateLimitResetMs(h, now)
      const limit = Number(h['x-rate-limit-limit'])
      const remaining = rateLimitRemaining(h)
      const pauseMs = answer?.status === 429 ? Math.max(1000, retryAfterMs(h, now) ?? resetMs ?? WINDOW_MS) : undefined
      await redis.eval(OBSERVE, 2, ...keys(family), ticket,
        reset !== undefined && /^\d+$/.test(reset.trim()) ? reset.trim() : '',
        resetMs ?? '',
        Number.isInteger(limit) && limit > 0 ? limit : '',
        remaining ?? '',
        pauseMs ?? '',
        answer === undefined ? '0' : '1',
        WINDOW_MS)
    }
  }
}

/**
 * Waits for a slot up to `maxWaitMs`; past that the call is not made and the caller gets
 * OKTA_RATE_LIMITED with the wait, as if Okta had said it (a job is then delayed without spending
 * an attempt). Without Redis the limiter cannot count: the call goes (ticket 0), since a limiter
 * that fails closed would turn a Redis outage into an Okta outage.
 */
export async function waitForSlot (limiter: OktaLimiter, family: OktaFamily, maxWaitMs: number, what: string): Promise<number> {
  let waited = 0
  for (;;) {
    let got: Take
    try {
      got = await limiter.take(family)
    } catch {
      return 0
    }
    if ('ticket' in got) return got.ticket
    if (waited + got.waitMs > maxWaitMs) {
      throw new UpstreamError('OKTA_RATE_LIMITED', `holding back ${what}: the service's share (OKTA_RATE_LIMIT_FRACTION) of Okta's ${family} limit is used for this window`, {
        status: 0, transient: true, retryAfterMs: Math.max(1000, got.waitMs)
      })
    }
    await sleep(got.waitMs)
    waited += got.waitMs
  }
}

/** Reports the call's outcome; a Redis error here only costs the count of one call. */
export async function reportCall (limiter: OktaLimiter, family: OktaFamily, ticket: number, answer?: { status: number, headers: Record<string, string> }): Promise<void> {
  if (ticket === 0) return
  await limiter.observe(family, ticket, answer).catch(() => {})
}
