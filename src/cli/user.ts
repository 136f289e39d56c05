/**
 * One user: `user` shows the link, what was last applied and the audit trail (emails and phones
 * masked by the service unless --reveal); `preview` shows the exact PUT body a sync would send
 * now, without sending or recording anything.
 */
import { expectArgs } from './args.js'
import { clean, pairs, table, when } from './format.js'
import type { Command } from './types.js'

const userPath = (kind: 'users' | 'preview', positionals: string[]): string => {
  const [source, idpUserId] = expectArgs(positionals, ['<source>', '<idpUserId>'])
  return `/ops/${kind}/${encodeURIComponent(source ?? '')}/${encodeURIComponent(idpUserId ?? '')}`
}

const linkLine = (userKey: unknown, enerfloUserId: unknown): string =>
  `${clean(userKey)} → ${enerfloUserId === null || enerfloUserId === undefined ? 'no Enerflo user (unresolved)' : `Enerflo user ${clean(enerfloUserId)}`}`

/** Field changes in the shapes a trail may use: names, `{ field, old, new }` rows, or a map. */
export function changes (entry: Record<string, unknown>): string {
  const one = (field: string, c: unknown): string => {
    if (typeof c !== 'object' || c === null) return `${field}: ${clean(c)}`
    const o = c as Record<string, unknown>
    return `${field}: ${clean(o.old ?? o.from)} → ${clean(o.new ?? o.to)}`
  }
  const raw = entry.changes ?? entry.fields
  if (Array.isArray(raw)) {
    return raw.map((c) => typeof c === 'string' ? clean(c) : one(String((c as Record<string, unknown>).field ?? (c as Record<string, unknown>).name ?? '?'), c)).join('; ') || '-'
  }
  if (typeof raw === 'object' && raw !== null) return Object.entries(raw).map(([k, v]) => one(k, v)).join('; ') || '-'
  return '-'
}

/** Shadow mode records the PUT it would have sent instead of sending it. */
const shadow = (body: unknown): string => typeof body === 'object' && body !== null
  ? ` (would send: ${Object.entries(body).map(([k, v]) => `${k} ${clean(v)}`).join(', ')})`
  : ''

interface UserReply { userKey: string, enerfloUserId: number | null, applied: Record<string, unknown> | null, audit: Array<Record<string, unknown>> }

export const userCommand: Command = {
  name: 'user',
  args: '<source> <idpUserId>',
  summary: 'The Enerflo link, the state last applied, and the audit trail of one user (newest first).',
  options: { reveal: { type: 'boolean', description: 'show emails and phone numbers unmasked (logged by the service)' } },
  async run (ctx, positionals, values) {
    const reply = await ctx.api.call<UserReply>('GET', userPath('users', positionals), { query: { reveal: values.reveal === true ? 'true' : undefined } })
    if (ctx.json) { ctx.out(JSON.stringify(reply, null, 2)); return 0 }
    ctx.out(linkLine(reply.userKey, reply.enerfloUserId))
    const applied = Object.entries(reply.applied ?? {})
    ctx.out(applied.length === 0 ? '\nnothing applied yet' : `\nlast applied:\n${pairs(applied, '  ')}`)
    const audit = reply.audit ?? []
    if (audit.length === 0) { ctx.out('\nno audit records'); return 0 }
    ctx.out('\n' + table(['TIME', 'OUTCOME', 'ENERFLO', 'ATTEMPTS', 'EVENTS', 'CHANGES / ERROR'], audit.map((e) => {
      const error = e.error as { code?: unknown, message?: unknown } | undefined
      const notes = Array.isArray(e.notes) && e.notes.length > 0 ? ` (notes: ${clean(e.notes)})` : ''
      return [when(e.at), e.outcome, e.enerfloStatus, e.attempts, Array.isArray(e.eventIds) ? e.eventIds.length : undefined,
        (error !== undefined ? `${clean(error.code)}: ${clean(error.message)}` : changes(e)) + shadow(e.wouldSend) + notes]
    })))
    return 0
  }
}

interface PreviewReply { userKey: string, enerfloUserId: number | null, wouldSend: Record<string, unknown> | null, reason?: string, notes?: string[] }

export const previewCommand: Command = {
  name: 'preview',
  args: '<source> <idpUserId>',
  summary: 'Dry run for one user: fetch, map and diff now, and show the PUT body that would be sent.',
  details: ['Nothing is sent to Enerflo and nothing is recorded.'],
  async run (ctx, positionals) {
    const reply = await ctx.api.call<PreviewReply>('GET', userPath('preview', positionals))
    if (ctx.json) { ctx.out(JSON.stringify(reply, null, 2)); return 0 }
    ctx.out(linkLine(reply.userKey, reply.enerfloUserId))
    if (reply.wouldSend === null) {
      ctx.out(`\nnothing to send: ${clean(reply.reason)}`)
    } else {
      ctx.out(`\nwould send PUT /api/v3/users:\n${pairs(Object.entries(reply.wouldSend), '  ')}`)
      if (reply.reason !== undefined && reply.reason !== '') ctx.out(`reason: ${clean(reply.reason)}`)
    }
    if ((reply.notes ?? []).length > 0) ctx.out(`\nnotes:\n${(reply.notes ?? []).map((n) => `  - ${clean(n)}`).join('\n')}`)
    return 0
  }
}
