/**
 * `follow-ups`: work Enerflo asks of a person after a write the service made (GET
 * /ops/follow-ups): the open ones with the user, what to do and Enerflo's recipe, then the recent
 * done ones in a line each; `follow-ups done <id>` marks one done (POST /ops/follow-ups/{id}/done).
 */
import { clean, count, table, when } from './format.js'
import { UsageError, type Command } from './types.js'

interface FollowUp { id: string, userKey: string, enerfloId: number, who: string, role: string, todo: string, recipe: string, links: string[], notAutomatic: string, createdAt: string, done: boolean, doneAt: string | null }
interface FollowUpsReply { open: number, followUps: FollowUp[] }

const BIN = 'enerflo-user-sync'

export function renderFollowUps (reply: FollowUpsReply, now = Date.now()): string {
  if (reply.followUps.length === 0) return 'no follow-ups: nothing Enerflo asks of a person'
  const open = reply.followUps.filter((f) => !f.done)
  const done = reply.followUps.filter((f) => f.done)
  const out: string[] = []
  if (open.length > 0) {
    out.push(table(['ID', 'USER', 'ENERFLO', 'WHO', 'ROLE REMOVED', 'SINCE'], open.map((f) => [f.id, f.userKey, f.enerfloId, f.who, f.role, when(f.createdAt, now)])))
    for (const f of open) out.push('', `follow-up ${clean(f.id)}: ${clean(f.todo)}`, `  recipe: ${clean(f.recipe)}`, ...f.links.map((l) => `  ${clean(l)}`))
    out.push('', `${count(reply.open, 'open follow-up')}; once done in Enerflo: ${BIN} follow-ups done <id>`)
  } else out.push('no open follow-ups')
  if (done.length > 0) out.push('', 'done:', ...done.map((f) => `  ${clean(f.id)}  ${clean(f.userKey)}  ${clean(f.who)}  ${clean(f.role)} removed ${when(f.createdAt, now)}, done ${when(f.doneAt, now)}`))
  return out.join('\n')
}

export const followUpsCommand: Command = {
  name: 'follow-ups',
  args: '[done <id>]',
  summary: 'Work Enerflo asks of a person after a write (a Project Manager removed: remove them as a project contact on their installs); done <id> marks one done.',
  details: [
    'Without arguments: the open follow-ups with the user, what to do and Enerflo\'s recipe, then the recent done ones.',
    `done <id>: mark one done once the work in Enerflo is done. Example: ${BIN} follow-ups done 3`
  ],
  async run (ctx, positionals) {
    const [verb, id, ...extra] = positionals
    if (verb === undefined) {
      const reply = await ctx.api.call<FollowUpsReply>('GET', '/ops/follow-ups')
      ctx.out(ctx.json ? JSON.stringify(reply, null, 2) : renderFollowUps(reply))
      return 0
    }
    if (verb !== 'done') throw new UsageError(`unknown follow-ups action ${JSON.stringify(verb)} (done <id>)`)
    if (id === undefined) throw new UsageError('missing the follow-up id: follow-ups done <id>')
    if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`)
    if (!/^[0-9]{1,12}$/.test(id)) throw new UsageError(`a follow-up id is a number, as '${BIN} follow-ups' lists it (got ${JSON.stringify(id)})`)
    const reply = await ctx.api.call<FollowUp>('POST', `/ops/follow-ups/${id}/done`)
    ctx.out(ctx.json ? JSON.stringify(reply, null, 2) : `follow-up ${clean(reply.id)} marked done (${clean(reply.userKey)}, ${clean(reply.who)})`)
    return 0
  }
}
