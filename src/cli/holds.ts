/**
 * `holds`: what the brake holds (GET /ops/holds), newest first, the open one with its users and
 * their pending destructive changes; `holds release <id>` and `holds discard <id>` finish a hold as
 * a whole. `--dry-run` shows who a release or discard would touch and changes nothing.
 */
import { clean, count, table, when } from './format.js'
import { UsageError, type Command, type Ctx } from './types.js'

interface HeldChange { userKey: string, enerfloId: number, at: string, deactivate: boolean, removedRoles: string[] }
interface Hold { id: string, state: string, reason: string, createdAt: string, finishedAt: string | null, users: HeldChange[] }
interface HoldsReply { open: string | null, holds: Hold[] }
interface Finished { id: string, state: string, users: number, queued: number }

const BIN = 'enerflo-user-sync'

const change = (u: HeldChange): string =>
  [u.deactivate ? 'deactivate' : '', u.removedRoles.length > 0 ? `remove ${u.removedRoles.join(', ')}` : ''].filter(Boolean).join('; ')

/** The next step for an open hold, as the commands to paste. */
export const holdHint = (id: string): string => `review, then: ${BIN} holds release ${id}  |  ${BIN} holds discard ${id}  (add --dry-run to look first)`

const userTable = (users: HeldChange[], now: number): string =>
  table(['USER', 'ENERFLO', 'HELD CHANGE', 'HELD AT'], users.map((u) => [u.userKey, u.enerfloId, change(u), when(u.at, now)]))
    .split('\n').map((l) => `  ${l}`).join('\n')

export function renderHolds (reply: HoldsReply, now = Date.now()): string {
  if (reply.holds.length === 0) return 'no holds: the brake has held nothing'
  const out: string[] = []
  for (const h of reply.holds) {
    const users = count(h.users.length, 'user')
    if (h.state !== 'open') {
      out.push(`hold ${clean(h.id)}  ${clean(h.state)} ${when(h.finishedAt, now)}  ${users}  (began ${when(h.createdAt, now)})`)
      continue
    }
    out.push(`hold ${clean(h.id)}  OPEN since ${when(h.createdAt, now)}  ${users} waiting`, `  reason: ${clean(h.reason)}`)
    if (h.users.length > 0) out.push(userTable(h.users, now))
    out.push(`  ${holdHint(clean(h.id))}`, '')
  }
  return out.join('\n').trimEnd()
}

async function finish (ctx: Ctx, verb: 'release' | 'discard', id: string, dryRun: boolean): Promise<number> {
  if (!/^[0-9]{1,12}$/.test(id)) throw new UsageError(`a hold id is a number, as '${BIN} holds' lists it (got ${JSON.stringify(id)})`)
  if (dryRun) {
    const hold = (await ctx.api.call<HoldsReply>('GET', '/ops/holds')).holds.find((h) => h.id === id)
    if (ctx.json) { ctx.out(JSON.stringify({ dryRun: true, hold: hold ?? null }, null, 2)); return hold === undefined ? 1 : 0 }
    if (hold === undefined) { ctx.out(`no hold ${id} among the newest holds ('${BIN} holds' lists them)`); return 1 }
    if (hold.state !== 'open') { ctx.out(`hold ${id} is already ${clean(hold.state)}: nothing to ${verb}`); return 1 }
    const what = verb === 'release'
      ? 'each would be synced in the deactivate lane and apply what the provider says at that moment'
      : 'none of these changes would be applied while the provider keeps asking for them'
    ctx.out(`would ${verb} hold ${id} (dry run: nothing changed), ${count(hold.users.length, 'user')}; ${what}:\n${userTable(hold.users, Date.now())}`)
    return 0
  }
  const reply = await ctx.api.call<Finished>('POST', `/ops/holds/${id}/${verb}`)
  if (ctx.json) { ctx.out(JSON.stringify(reply, null, 2)); return 0 }
  ctx.out(verb === 'release'
    ? `released hold ${clean(reply.id)}: ${count(reply.users, 'user')}, ${clean(reply.queued)} queued in the deactivate lane (each applies what the provider says now)`
    : `discarded hold ${clean(reply.id)}: nothing of it applied for ${count(reply.users, 'user')} (noted in each user's audit trail)`)
  return 0
}

export const holdsCommand: Command = {
  name: 'holds',
  args: '[release <id> | discard <id>]',
  summary: 'What the brake holds (mass deactivations and role removals), and releasing or discarding a hold.',
  details: [
    'Without arguments: the holds, newest first; the open one with each user and the change it keeps back.',
    'release <id>: apply the hold\'s changes as the provider says now. discard <id>: apply none of them.',
    `Example: ${BIN} holds release 3 --dry-run`
  ],
  options: {
    'dry-run': { type: 'boolean', description: 'with release or discard: show who it would touch; change nothing' }
  },
  async run (ctx, positionals, values) {
    const [verb, id, ...extra] = positionals
    if (verb === undefined) {
      const reply = await ctx.api.call<HoldsReply>('GET', '/ops/holds')
      ctx.out(ctx.json ? JSON.stringify(reply, null, 2) : renderHolds(reply))
      return 0
    }
    if (verb !== 'release' && verb !== 'discard') throw new UsageError(`unknown holds action ${JSON.stringify(verb)} (release <id> or discard <id>)`)
    if (id === undefined) throw new UsageError(`missing the hold id: holds ${verb} <id>`)
    if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`)
    return await finish(ctx, verb, id, values['dry-run'] === true)
  }
}
