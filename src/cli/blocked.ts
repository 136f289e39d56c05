/**
 * `blocked`: role removals Enerflo refuses while surveys or appointments are attributed to the
 * user (GET /ops/blocked), each with Enerflo's words and the fix; `blocked --retry [<userKey>]`
 * tries one user's (or every one's) again now (POST /ops/blocked/retry) instead of at the next
 * BLOCKED_RETRY_MS.
 */
import { expectArgs } from './args.js'
import { clean, count, duration, table, when } from './format.js'
import type { Command } from './types.js'

interface Removal { userKey: string, enerfloId: number, roles: string[], enerflo: string, fix: string, since: string, refusals: number, nextRetryAt: string }

export const blockedCommand: Command = {
  name: 'blocked',
  args: '[<userKey>]',
  summary: 'List role removals Enerflo refuses while leads are attributed to the user (everything else was sent), with the fix; --retry tries again now.',
  details: ['<userKey> is source:id as the list shows it (okta:00u…); with --retry and no user, every blocked removal is tried again.'],
  options: { retry: { type: 'boolean', description: 'try the removal again now (one user, or all)' } },
  async run (ctx, positionals, values) {
    const [userKey] = positionals.length === 0 ? [] : expectArgs(positionals, ['<userKey>'])
    if (values.retry === true) {
      const reply = await ctx.api.call<{ queued: string[] }>('POST', '/ops/blocked/retry', { body: userKey === undefined ? {} : { userKey } })
      if (ctx.json) { ctx.out(JSON.stringify(reply, null, 2)); return 0 }
      ctx.out(reply.queued.length === 0 ? 'no blocked role removal to retry' : `trying again now: ${count(reply.queued.length, 'user')}\n${reply.queued.map((k) => `  ${clean(k)}`).join('\n')}`)
      return 0
    }
    const page = await ctx.api.call<{ count: number, retryEveryMs: number, removals: Removal[] }>('GET', '/ops/blocked')
    const shown = userKey === undefined ? page.removals : page.removals.filter((r) => r.userKey === userKey)
    if (ctx.json) { ctx.out(JSON.stringify(userKey === undefined ? page : { ...page, removals: shown }, null, 2)); return 0 }
    if (shown.length === 0) { ctx.out(userKey === undefined ? 'no blocked role removals' : `${clean(userKey)} has no blocked role removal`); return userKey === undefined ? 0 : 1 }
    ctx.out(table(['USER', 'ENERFLO', 'ROLES', 'SINCE', 'REFUSED', 'NEXT TRY'], shown.map((r) => [r.userKey, r.enerfloId, r.roles, when(r.since), r.refusals, when(r.nextRetryAt)])))
    for (const r of shown) ctx.out(`\n${clean(r.userKey)}: Enerflo said: ${clean(r.enerflo)}\n  fix: ${clean(r.fix)}`)
    ctx.out(`\n${count(page.count, 'blocked role removal')}, each tried again every ${duration(page.retryEveryMs)}; now: blocked --retry [<userKey>]`)
    return 0
  }
}
