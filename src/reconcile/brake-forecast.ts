/**
 * What the brake (src/sync/brake.ts) would hold, for a dry-run pass: an operator reads it in the
 * report before going live, not in a hold afterwards. It counts as the brake does, from the same
 * keys: the destructive changes already in the rolling window, then this pass's own one by one,
 * against the same limit; while a hold is open every destructive change would join it. The lines
 * past the limit read `held`, with what would be held and why; the rest of those users' changes
 * would still be sent, as the brake does it.
 */
import type { Redis } from 'ioredis'
import type { BrakeOptions, Destructive } from '../sync/brake.js'
import { holdKeys } from '../sync/holds.js'
import type { ReportLine } from './runs.js'

export interface PassBrake {
  /** The line of a user with a destructive change: as it is, or `held` with the reason. */
  consider: (line: ReportLine, d: Destructive) => ReportLine
}

const whatOf = (d: Destructive): string =>
  [d.deactivate ? 'the deactivation' : '', d.removedRoles.length > 0 ? `the removal of ${d.removedRoles.join(', ')}` : ''].filter(Boolean).join(' and ')

/** The sources whose linked users set the limit (the brake takes the user's own source's). */
const SOURCES = ['okta', 'graph', 'scim'] as const

export async function forecastBrake (redis: Redis, prefix: string, opts: BrakeOptions): Promise<PassBrake> {
  const k = holdKeys(prefix)
  const [open, inWindow, ...counts] = await Promise.all([
    redis.get(k.open), redis.zcount(k.window, Date.now() - opts.windowMs, '+inf'), ...SOURCES.map(async (s) => await redis.hlen(k.linked(s)))
  ])
  const linkedOf = new Map<string, number>(SOURCES.map((s, i) => [s, counts[i] ?? 0]))
  let inPass = 0
  const held = (line: ReportLine, why: string): ReportLine =>
    ({ ...line, action: 'held', reason: [line.reason, why].filter(Boolean).join('; ') })
  return {
    consider (line, d) {
      inPass++
      const rest = line.fields.some((f) => f !== 'active' && f !== 'roles') ? '; the other fields would be sent' : ''
      if (open !== null) return held(line, `would be held by the brake: ${whatOf(d)} would join hold ${open}, open until an operator releases or discards it${rest}`)
      const linked = linkedOf.get(line.source) ?? 0
      const limit = Math.max(Math.floor(linked * opts.maxPercent / 100), opts.minUsers)
      const count = inWindow + inPass
      if (count <= limit) return line
      const before = inWindow > 0 ? ` (${inWindow} already in the last ${opts.windowMs} ms)` : ''
      return held(line, `would be held by the brake: ${whatOf(d)} is destructive change ${count}${before}, more than ${opts.maxPercent}% of ${linked} linked users and more than ${opts.minUsers} (limit ${limit})${rest}`)
    }
  }
}
