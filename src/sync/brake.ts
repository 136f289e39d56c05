/**
 * The brake (issue 13, README "The brake"): destructive changes, a deactivation or the removal of a
 * managed role, are counted over a rolling window in Redis, and per reconciliation pass for the
 * jobs a pass queued (a pass whose jobs drain for longer than the window is still one change).
 * Once either count holds more than BRAKE_MAX_PERCENT of the source's linked users and more than
 * BRAKE_MIN_USERS, the destructive part of every further write goes into the open hold (holds.ts)
 * and the rest of the user's changes are still sent: a renamed group must not stop phone numbers,
 * and must not fire people.
 *
 * One script decides per write, so workers in several processes can never let more through than
 * the limit. Jobs are level-triggered: a user whose provider no longer asks for anything
 * destructive is taken out of the open hold by their next sync, which is what "reverted" means.
 */
import type { Redis } from 'ioredis'
import type { UserPlan } from './plan.js'
import { holdKeys, type HeldChange } from './holds.js'

export interface BrakeOptions { windowMs: number, maxPercent: number, minUsers: number }

export interface Destructive { deactivate: boolean, removedRoles: string[] }

/** The destructive part of a plan's changes, or undefined when there is none. */
export function destructiveOf (changes: UserPlan['changes']): Destructive | undefined {
  const active = changes.active
  const deactivate = active !== undefined && active.to === false && active.from !== false
  const roles = changes.roles
  const from = Array.isArray(roles?.from) ? roles.from as string[] : []
  const to = Array.isArray(roles?.to) ? roles.to as string[] : []
  const removedRoles = from.filter((r) => !to.includes(r))
  return deactivate || removedRoles.length > 0 ? { deactivate, removedRoles } : undefined
}

const signature = (d: Destructive): string => JSON.stringify([d.deactivate, [...d.removedRoles].sort()])

/** The plan without its destructive part: `active` left out, removed roles put back. */
export function withoutDestructive (plan: UserPlan, d: Destructive): UserPlan {
  const body = { ...plan.body } as NonNullable<UserPlan['body']>
  const changes = { ...plan.changes }
  if (d.deactivate) { delete body.active; delete changes.active }
  const roles = changes.roles
  if (d.removedRoles.length > 0 && roles !== undefined) {
    const kept = [...(roles.to as string[]), ...d.removedRoles]
    const from = roles.from as string[]
    if (kept.length === from.length && kept.every((r) => from.includes(r))) { delete body.roles; delete changes.roles } else { body.roles = kept; changes.roles = { from, to: kept } }
  }
  const left = Object.keys(body).some((f) => f !== 'id')
  return { ...plan, kind: left ? 'send' : 'unchanged', body: left ? body : undefined, changes }
}

// KEYS: window, open pointer, holds list, hold seq, user's pass, user's discard marker, linked
// index, the pass's set. ARGV: prefix, user key, now, window ms, percent, min users, signature
// ('' = nothing destructive), held-change JSON, run id ('' = not queued by a pass), how long a
// pass's count is kept, the window in words (for the reason). Returns
// {verdict, hold id}. One entry per user and change in the window and the pass's set, so a
// retried write (5xx, no answer) is not counted twice.
const GATE = `
local pass = redis.call('GET', KEYS[5])
if pass then redis.call('DEL', KEYS[5]) end
local open = redis.call('GET', KEYS[2])
if ARGV[7] == '' then
  redis.call('DEL', KEYS[6])
  if open then redis.call('HDEL', ARGV[1] .. ':hold:' .. open .. ':users', ARGV[2]) end
  return {'pass', ''}
end
if pass then return {'released', pass} end
if redis.call('GET', KEYS[6]) == ARGV[7] then return {'discarded', ''} end
local now = tonumber(ARGV[3])
if not open then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[4]))
  local linked = redis.call('HLEN', KEYS[7])
  local limit = math.max(math.floor(linked * tonumber(ARGV[5]) / 100), tonumber(ARGV[6]))
  local count = redis.call('ZCARD', KEYS[1])
  local inPass = 0
  if ARGV[9] ~= '' then inPass = redis.call('SCARD', KEYS[8]) end
  local member = ARGV[2] .. '|' .. ARGV[7]
  if count < limit and inPass < limit then
    redis.call('ZADD', KEYS[1], now, member)
    redis.call('PEXPIRE', KEYS[1], ARGV[4])
    if ARGV[9] ~= '' then
      redis.call('SADD', KEYS[8], member)
      redis.call('PEXPIRE', KEYS[8], ARGV[10])
    end
    return {'pass', ''}
  end
  open = tostring(redis.call('INCR', KEYS[4]))
  redis.call('SET', KEYS[2], open)
  local within = ' within ' .. ARGV[11]
  if count < limit then
    count = inPass
    within = ' in reconciliation pass ' .. ARGV[9]
  end
  local reason = (count + 1) .. ' destructive changes' .. within .. ': more than ' .. ARGV[5] ..
    '% of ' .. linked .. ' linked users and more than ' .. ARGV[6] .. ' (limit ' .. limit .. ')'
  redis.call('HSET', ARGV[1] .. ':hold:' .. open, 'id', open, 'state', 'open', 'reason', reason, 'createdAt', ARGV[3])
  redis.call('ZADD', KEYS[3], now, open)
end
redis.call('HSET', ARGV[1] .. ':hold:' .. open .. ':users', ARGV[2], ARGV[8])
return {'held', open}
`

export type Verdict = 'pass' | 'held' | 'released' | 'discarded'

/** The window as a person says it, for the hold's reason: "1 h", "90 min", "45 s". */
export function span (ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`
  if (ms % 60_000 === 0) return `${ms / 60_000} min`
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

/** How long a pass's count is kept: longer than any pass and its jobs take to drain. */
const PASS_COUNT_MS = 7 * 24 * 3600 * 1000

export function createBrake (redis: Redis, prefix: string, opts: BrakeOptions) {
  const k = holdKeys(prefix)
  async function gate (key: string, enerfloId: number, d: Destructive | undefined, run: string): Promise<{ verdict: Verdict, hold: string }> {
    const source = key.slice(0, key.indexOf(':'))
    const sig = d === undefined ? '' : signature(d)
    const held: HeldChange | undefined = d === undefined ? undefined : { userKey: key, enerfloId, at: new Date().toISOString(), ...d, sig }
    const [verdict, hold] = await redis.eval(GATE, 8, k.window, k.open, k.list, k.seq, k.pass(key), k.discarded(key), k.linked(source), k.run(run),
      prefix, key, String(Date.now()), String(opts.windowMs), String(opts.maxPercent), String(opts.minUsers), sig,
      held === undefined ? '' : JSON.stringify(held), run, String(PASS_COUNT_MS), span(opts.windowMs)) as [Verdict, string]
    return { verdict, hold }
  }

  return {
    /**
     * Passes a plan through the brake: as it was, or without its destructive part (held by the
     * open hold, or discarded by an operator earlier). The note goes onto the plan's own notes,
     * which the worker writes to the audit trail. `run` is the reconciliation run that queued the
     * job, if one did: its destructive changes are counted per pass too.
     */
    async apply (key: string, plan: UserPlan, run?: string): Promise<UserPlan | (UserPlan & { held: string })> {
      const d = destructiveOf(plan.changes)
      const { verdict, hold } = await gate(key, plan.enerfloId, d, run ?? '')
      if (d === undefined || verdict === 'pass') return plan
      if (verdict === 'released') { plan.notes.push(`released by an operator (hold ${hold})`); return plan }
      const stripped = withoutDestructive(plan, d)
      const what = [d.deactivate ? 'deactivation' : '', d.removedRoles.length > 0 ? `removal of ${d.removedRoles.join(', ')}` : ''].filter(Boolean).join(' and ')
      if (verdict === 'discarded') { plan.notes.push(`${what} not applied: an operator discarded it`); return stripped }
      plan.notes.push(`${what} held by the brake (hold ${hold}): an operator releases or discards it`)
      return { ...stripped, held: hold }
    }
  }
}

export type Brake = ReturnType<typeof createBrake>
