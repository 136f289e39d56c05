/**
 * What every Enerflo API call of the sandbox passes before its route runs, in Enerflo's order:
 * the api-key (401 without spending budget), the per-key budget that reads and writes share
 * (HTML 429), then any injected fault for that kind of call. The route only decides an Outcome.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { send } from './sandbox-http.js'
import { TOO_MANY_REQUESTS_HTML, tooManyHeaders, type RateLimiter } from './sandbox-rate-limit.js'
import type { FaultQueue } from './sandbox-faults.js'
import type { FaultTarget, Outcome } from './sandbox-types.js'

export interface GateOptions {
  apiKey: string
  limiter: RateLimiter
  limitMax: number
  faults: FaultQueue
}

export interface Gate {
  authorized (req: IncomingMessage): boolean
  /** Runs `route` behind the gate and answers; `rec.status` ends as what was sent (0: dropped). */
  serve (req: IncomingMessage, res: ServerResponse, target: Exclude<FaultTarget, 'any'>, rec: { status: number }, route: () => Outcome): Promise<void>
  /** Ends every pending latency fault, so close() never waits for one. */
  wakeAll (): void
}

export function createGate (opts: GateOptions): Gate {
  const key = Buffer.from(opts.apiKey)
  const sleepers = new Set<() => void>()
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    const done = (): void => { clearTimeout(timer); sleepers.delete(done); resolve() }
    const timer = setTimeout(done, ms)
    sleepers.add(done)
  })
  const authorized = (req: IncomingMessage): boolean => {
    const given = req.headers['api-key']
    if (typeof given !== 'string') return false
    const b = Buffer.from(given)
    return b.length === key.length && timingSafeEqual(b, key)
  }

  return {
    authorized,
    wakeAll () { for (const wake of [...sleepers]) wake() },
    async serve (req, res, target, rec, route) {
      const reply = (status: number, headers: Record<string, string>, body: unknown): void => {
        rec.status = status
        send(res, status, headers, body)
      }
      if (!authorized(req)) return reply(401, {}, { success: false, message: 'Unauthenticated.' })
      const budget = opts.limiter.take(opts.apiKey)
      if (!budget.allowed) return reply(429, budget.headers, TOO_MANY_REQUESTS_HTML)
      const fault = opts.faults.take(target)
      if (fault?.kind === 'drop') { res.socket?.destroy(); return }
      if (fault?.kind === 'rate-limit') return reply(429, tooManyHeaders(opts.limitMax, fault.retryAfterSec), TOO_MANY_REQUESTS_HTML)
      if (fault?.kind === 'status') {
        const body = fault.body ?? { success: false, message: fault.status >= 500 ? 'Server Error' : `HTTP ${fault.status}` }
        let parsed: unknown = body
        try { parsed = typeof body === 'string' ? JSON.parse(body) : body } catch { /* an HTML page is fine */ }
        return reply(fault.status, budget.headers, parsed)
      }
      if (fault?.kind === 'latency') await sleep(fault.ms)
      const outcome = route()
      reply(outcome.status, budget.headers, outcome.body)
    }
  }
}
