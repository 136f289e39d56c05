/**
 * Unresolved users and identity links: list who is parked, link one (which queues it at once),
 * remove a link, or import many links from a CSV or JSON file that the service checks row by row.
 */
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { expectArgs, str, wholeNumber } from './args.js'
import { clean, count, table, when } from './format.js'
import { CliError, ServiceRefusal, UsageError, type Command, type Ctx } from './types.js'

const path = (source: string, idpUserId: string): string => `/ops/links/${encodeURIComponent(source)}/${encodeURIComponent(idpUserId)}`

interface UnresolvedPage { total: number, users: Array<{ userKey: string, source?: string, userId?: string, since?: string }> }

export const unresolvedCommand: Command = {
  name: 'unresolved',
  args: '',
  summary: 'Users parked because no Enerflo user id is known for them.',
  options: {
    offset: { type: 'string', value: '<n>', description: 'skip this many (paging)' },
    limit: { type: 'string', value: '<n>', description: 'show at most this many' }
  },
  async run (ctx, _positionals, values) {
    const query = { offset: wholeNumber(str(values, 'offset'), '--offset'), limit: wholeNumber(str(values, 'limit'), '--limit', 1) }
    const page = await ctx.api.call<UnresolvedPage>('GET', '/ops/unresolved', { query })
    if (ctx.json) { ctx.out(JSON.stringify(page, null, 2)); return 0 }
    if (page.users.length === 0) { ctx.out(page.total === 0 ? 'no unresolved users' : `none on this page (${page.total} in all)`); return 0 }
    ctx.out(table(['USER', 'SOURCE', 'IDP USER ID', 'SINCE'], page.users.map((u) => [u.userKey, u.source, u.userId, when(u.since)])))
    const from = query.offset ?? 0
    if (from + page.users.length < page.total) ctx.out(`\n${from + page.users.length} of ${page.total}; next page: --offset ${from + page.users.length}`)
    ctx.out('\nlink one: link <source> <idpUserId> <enerfloUserId>; many: import-links <file.csv|file.json>')
    return 0
  }
}

interface Preview { resolvedBy: string | null, enerfloUserId: number | null }

/** What the service will really sync the user to, when that is not the link (the attribute wins). */
async function attributeOverride (ctx: Ctx, source: string, idpUserId: string, linked: number): Promise<number | undefined> {
  const preview = await ctx.api.call<Preview>('GET', `/ops/preview/${encodeURIComponent(source)}/${encodeURIComponent(idpUserId)}`)
  return preview.resolvedBy === 'attribute' && preview.enerfloUserId !== null && preview.enerfloUserId !== linked ? preview.enerfloUserId : undefined
}

export const linkCommand: Command = {
  name: 'link',
  args: '<source> <idpUserId> <enerfloUserId>',
  summary: 'Store which Enerflo user an identity-provider user is, and queue that user to sync now.',
  details: [
    'The provider\'s identity attribute, when set, wins over a stored link: if it names another',
    'Enerflo user, the link is stored but does not apply, and this says so (exit code 1).'
  ],
  async run (ctx, positionals) {
    const [source = '', idpUserId = '', enerflo] = expectArgs(positionals, ['<source>', '<idpUserId>', '<enerfloUserId>'])
    const enerfloUserId = wholeNumber(enerflo, '<enerfloUserId>', 1)
    const reply = await ctx.api.call<{ userKey: string, enerfloUserId: number, queued: boolean }>('PUT', path(source, idpUserId), { body: { enerfloUserId } })
    const wins = await attributeOverride(ctx, source, idpUserId, reply.enerfloUserId)
    if (ctx.json) {
      ctx.out(JSON.stringify({ ...reply, attributeEnerfloUserId: wins ?? null }, null, 2))
    } else if (wins === undefined) {
      ctx.out(`linked ${clean(reply.userKey)} → Enerflo user ${clean(reply.enerfloUserId)}${reply.queued ? '; queued to sync now' : ''}`)
    } else {
      ctx.out(`stored the link ${clean(reply.userKey)} → Enerflo user ${clean(reply.enerfloUserId)}, but it does not apply: ` +
        `the provider's identity attribute names Enerflo user ${wins}, and the attribute wins (the user syncs to ${wins}). ` +
        `Correct or clear the attribute at ${clean(source)} for the link to apply.`)
    }
    return wins === undefined ? 0 : 1
  }
}

export const unlinkCommand: Command = {
  name: 'unlink',
  args: '<source> <idpUserId>',
  summary: 'Remove a stored link (the provider\'s identity attribute, if set, still applies).',
  details: ['Exit code 1 when there was no stored link to remove.'],
  async run (ctx, positionals) {
    const [source = '', idpUserId = ''] = expectArgs(positionals, ['<source>', '<idpUserId>'])
    try {
      await ctx.api.call('DELETE', path(source, idpUserId))
    } catch (e) {
      // The route's own words ("… has no stored link: nothing removed") say exactly what is true.
      const body = e instanceof ServiceRefusal && e.status === 404 ? e.body as { code?: unknown, message?: unknown } | null : undefined
      const said = body?.code === 'OPS_NOT_FOUND' ? body.message : undefined
      if (typeof said === 'string') throw new CliError(clean(said))
      throw e
    }
    ctx.out(ctx.json ? JSON.stringify({ unlinked: `${source}:${idpUserId}` }) : `removed the link of ${clean(source)}:${clean(idpUserId)}`)
    return 0
  }
}

interface ImportReply {
  dryRun: boolean
  accepted: number
  queued: number
  rejected: Array<{ row: number, reason: string }>
  rows: Array<{ row: number, action: string, userKey?: string, enerfloUserId?: number, reason?: string }>
}

/** CSV or JSON by the file's extension, else by its first character. */
function contentType (file: string, text: string): string {
  const ext = extname(file).toLowerCase()
  if (ext === '.csv') return 'text/csv'
  if (ext === '.json') return 'application/json'
  return /^\s*[[{]/.test(text) ? 'application/json' : 'text/csv'
}

export const importLinksCommand: Command = {
  name: 'import-links',
  args: '<file.csv|file.json>',
  summary: 'Import many links; the service checks each row and queues the users it accepts.',
  details: [
    'CSV: a header line source,idp_user_id,enerflo_user_id, then one link per line.',
    'JSON: [{ "source": "okta", "idpUserId": "00u…", "enerfloUserId": 1234 }, …]',
    'Each row is checked as a single link is: the provider must know the user, and the Enerflo user',
    'must not be linked to another identity of the same source (nor claimed by an earlier row).',
    'Start with --dry-run: it reports what every row would do and stores nothing.',
    'Exit code 1 when any row was rejected (the good rows are imported all the same).'
  ],
  options: { 'dry-run': { type: 'boolean', description: 'report what each row would do; store nothing' } },
  async run (ctx, positionals, values) {
    const [file] = expectArgs(positionals, ['<file>'])
    let text: string
    try {
      text = await readFile(file ?? '', 'utf8')
    } catch (err) {
      throw new CliError(`cannot read ${file ?? ''}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    if (text.trim().length === 0) throw new UsageError(`${file ?? ''} is empty`)
    const dryRun = values['dry-run'] === true
    const reply = await ctx.api.call<ImportReply>('POST', '/ops/links/import', { body: text, contentType: contentType(file ?? '', text), query: { dryRun: String(dryRun) } })
    if (ctx.json) {
      ctx.out(JSON.stringify(reply, null, 2))
    } else if (reply.dryRun) {
      const unchanged = reply.rows.filter((r) => r.action === 'unchanged').length
      ctx.out(`dry run, nothing stored: would link ${count(reply.accepted, 'user')}, ${unchanged} already linked, would reject ${count(reply.rejected.length, 'row')}`)
      ctx.out('\n' + table(['ROW', 'ACTION', 'USER', 'ENERFLO', 'REASON'], reply.rows.map((r) => [r.row, r.action, r.userKey ?? '', r.enerfloUserId ?? '', r.reason ?? ''])))
    } else {
      const unchanged = reply.rows.filter((r) => r.action === 'unchanged').length
      ctx.out(`accepted ${count(reply.accepted, 'link')}, queued ${count(reply.queued, 'user')}, ${unchanged} already linked, rejected ${count(reply.rejected.length, 'row')}`)
      if (reply.rejected.length > 0) ctx.out('\n' + table(['ROW', 'REASON'], reply.rejected.map((r) => [r.row, r.reason])))
    }
    return reply.rejected.length > 0 ? 1 : 0
  }
}
