/**
 * Enerflo's request budget (ENERFLO_RATE_LIMIT_MAX per ENERFLO_RATE_LIMIT_WINDOW_MS), shared by
 * every worker in every process through Redis. A sliding-window log: each granted call is a member
 * of a sorted set scored by Redis's own clock, so processes with skewed clocks still agree. A pause
 * key stops everyone at once when Enerflo itself says stop (429 or x-ratelimit-remaining: 0).
 *
 * Terminations first (issue 13): the last slots of every window (RESERVE_SHARE of it) are kept for
 * deactivations, so a backlog that has spent its share cannot make a fired rep wait for the next
 * window. A caller refused only because the reserve is left is told to wait at most
 * RESERVE_POLL_MS: the worker pauses the queue that long, and a deactivation that arrived
 * meanwhile is the first job taken after the pause and finds its slot.
 */
import type { Redis } from 'ioredis'
import { randomUUID } from 'node:crypto'

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local window = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local reserve = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
local cap = max - reserve
if used < cap then
  if ARGV[6] ~= '1' then
    redis.call('ZADD', KEYS[1], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[1], window)
  end
  return 0
end
-- Until enough calls leave the window for this caller: the (used - cap + 1)th oldest.
local nth = redis.call('ZRANGE', KEYS[1], used - cap, used - cap, 'WITHSCORES')
local wait = math.max(1, tonumber(nth[2]) + window - now)
if reserve == 0 then return wait end
-- Not past when a deactivation could go (the reserve free: after a short poll).
local anyone = tonumber(ARGV[5])
if used >= max then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  anyone = math.max(anyone, tonumber(oldest[2]) + window - now)
end
return math.min(wait, anyone)
`

const PAUSE = `
local current = redis.call('PTTL', KEYS[1])
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1]) end
return 1
`

export interface BudgetState {
  limit: number
  windowMs: number
  used: number
  remaining: number
  /** ms since epoch until which Enerflo asked us to stop, if it did. */
  pausedUntil: number | undefined
}

/** Who asks: a deactivation may use the slots kept for terminations, anything else may not. */
export type BudgetUse = 'deactivation' | 'other'

export interface Budget {
  /** 0 when a call may go now (and it is counted); otherwise ms to wait. */
  acquire: (use?: BudgetUse) => Promise<number>
  /**
   * What acquire would answer, counting nothing: a job that is not a deactivation asks first, so
   * while only the reserve is left it steps aside without reading its provider on every poll.
   */
  peek: (use?: BudgetUse) => Promise<number>
  /** Stop every worker for ms (never shortens a longer pause). */
  pause: (ms: number, reason: string) => Promise<void>
  state: () => Promise<BudgetState>
}

/**
 * Our window is a little longer than Enerflo's: its clock starts when a request arrives, ours when
 * the request is granted, and the two differ by each request's transit time. The margin absorbs
 * that jitter so that Enerflo never counts more than max in its window (2 %: at least 0.1 s, at most 1 s).
 */
export function effectiveWindowMs (windowMs: number): number {
  return windowMs + Math.min(1000, Math.max(100, Math.ceil(windowMs * 0.02)))
}

/** The share of each window kept for deactivations: 15 of Enerflo's 300 a minute. */
export const RESERVE_SHARE = 0.05
/** How long a caller held back only by the reserve waits before it asks again. */
export const RESERVE_POLL_MS = 500

/** Slots per window kept for deactivations: 5 %, at least one, and never the whole budget. */
export function reservedSlots (max: number): number {
  return Math.max(0, Math.min(Math.ceil(max * RESERVE_SHARE), max - 1))
}

export function createBudget (redis: Redis, opts: { prefix: string, max: number, windowMs: number }): Budget {
  const windowMs = effectiveWindowMs(opts.windowMs)
  const logKey = `${opts.prefix}:budget:enerflo:log`
  const pauseKey = `${opts.prefix}:budget:enerflo:pause`
  const reserve = reservedSlots(opts.max)
  return {
    async acquire (use = 'other') {
      const wait = await redis.eval(ACQUIRE, 2, logKey, pauseKey, windowMs, opts.max, randomUUID(), use === 'deactivation' ? 0 : reserve, RESERVE_POLL_MS, '0')
      return Number(wait)
    },
    async peek (use = 'other') {
      const wait = await redis.eval(ACQUIRE, 2, logKey, pauseKey, windowMs, opts.max, '', use === 'deactivation' ? 0 : reserve, RESERVE_POLL_MS, '1')
      return Number(wait)
    },
    async pause (ms, reason) {
      await redis.eval(PAUSE, 1, pauseKey, Math.max(1, Math.ceil(ms)), reason)
    },
    async state () {
      const now = Date.now()
      const [[, used], [, pttl]] = await redis.multi()
        .zcount(logKey, now - windowMs, '+inf')
        .pttl(pauseKey)
        .exec() as [[null, number], [null, number]]
      return {
        limit: opts.max,
        windowMs: opts.windowMs,
        used,
        remaining: Math.max(0, opts.max - used),
        pausedUntil: pttl > 0 ? now + pttl : undefined
      }
    }
  }
}
