/**
 * Dead letters: `failed` lists them (filters, paging), `retry` and `discard` act on job ids or on
 * the same filters, with `--dry-run` to see what would happen first. Acting on every failed job
 * takes an explicit `--all`, so a forgotten filter cannot retry or discard everything.
 */
import { str, timeOption, wholeNumber } from './args.js'
import { clean, count, table, when } from './format.js'
import { UsageError, type Command, type Ctx, type OptionDef, type Values } from './types.js'

const FILTERS: Record<string, OptionDef> = {
  code: { type: 'string', value: '<code>', description: 'only this error code, e.g. ENERFLO_REJECTED' },
  source: { type: 'string', value: '<source>', description: 'only this source: okta, graph or scim' },
  since: { type: 'string', value: '<time>', description: 'failed at or after: ISO time or an age (30m, 2h, 7d)' },
  until: { type: 'string', value: '<time>', description: 'failed before: ISO time or an age' }
}

function filters (values: Values, now = Date.now()): Record<string, string | undefined> {
  return {
    code: str(values, 'code')?.toUpperCase(),
    source: str(values, 'source'),
    since: timeOption(str(values, 'since'), '--since', now),
    until: timeOption(str(values, 'until'), '--until', now)
  }
}

interface FailedJob { jobId: string, userKey: string, code?: string, reason?: string, failedAt?: string, attempts?: number }
interface FailedPage { total: number, jobs: FailedJob[] }

export const failedCommand: Command = {
  name: 'failed',
  args: '',
  summary: 'List failed (dead-letter) sync jobs with the reason an operator needs, newest first.',
  options: {
    ...FILTERS,
    offset: { type: 'string', value: '<n>', description: 'skip this many (paging)' },
    limit: { type: 'string', value: '<n>', description: 'show at most this many (default: the service\'s)' }
  },
  async run (ctx, _positionals, values) {
    const query = { ...filters(values), offset: wholeNumber(str(values, 'offset'), '--offset'), limit: wholeNumber(str(values, 'limit'), '--limit', 1) }
    const page = await ctx.api.call<FailedPage>('GET', '/ops/failed', { query })
    if (ctx.json) { ctx.out(JSON.stringify(page, null, 2)); return 0 }
    if (page.jobs.length === 0) { ctx.out(page.total === 0 ? 'no failed jobs' : `no failed jobs on this page (${page.total} in all)`); return 0 }
    ctx.out(table(['JOB', 'USER', 'CODE', 'FAILED', 'ATTEMPTS', 'REASON'],
      page.jobs.map((j) => [j.jobId, j.userKey, j.code, when(j.failedAt), j.attempts, j.reason])))
    const from = query.offset ?? 0
    const to = from + page.jobs.length
    ctx.out(to < page.total || from > 0 ? `\nshowing ${from + 1}–${to} of ${page.total}${to < page.total ? `; next page: --offset ${to}` : ''}` : `\n${count(page.total, 'failed job')}`)
    ctx.out('act on them: retry <jobId…> | retry --code <code>, or the same with discard (add --dry-run to look first)')
    return 0
  }
}

interface ActReply { dryRun: boolean, matched: number, jobIds: string[] }

/** Who the matched jobs are (user, code, reason), read from the listing with the same filters. */
async function describeJobs (ctx: Ctx, f: Record<string, string | undefined>, jobIds: string[]): Promise<string> {
  const wanted = new Set(jobIds)
  const found = new Map<string, FailedJob>()
  for (let offset = 0; found.size < wanted.size && offset < 5000; offset += 500) {
    const page = await ctx.api.call<FailedPage>('GET', '/ops/failed', { query: { ...f, offset, limit: 500 } })
    for (const j of page.jobs) if (wanted.has(j.jobId)) found.set(j.jobId, j)
    if (offset + page.jobs.length >= page.total) break
  }
  return table(['JOB', 'USER', 'CODE', 'REASON'], jobIds.map((id) => {
    const j = found.get(id)
    return [id, j?.userKey ?? '(no longer failed)', j?.code, j?.reason]
  })).split('\n').map((l) => `  ${l}`).join('\n')
}

function actCommand (verb: 'retry' | 'discard'): Command {
  const done = verb === 'retry' ? 'retried' : 'discarded'
  return {
    name: verb,
    args: '[jobId…]',
    summary: verb === 'retry'
      ? 'Queue failed jobs again; each re-fetches the user\'s current state, so nothing stale is applied.'
      : 'Remove failed jobs for good (the audit trail keeps what happened).',
    details: ['Name job ids, or select by filter; --all selects every failed job.', `Example: ${verb} --code ENERFLO_REJECTED --since 2h --dry-run`],
    options: {
      ...FILTERS,
      all: { type: 'boolean', description: 'every failed job (when no job id or filter is given)' },
      'dry-run': { type: 'boolean', description: 'show what would happen; change nothing' }
    },
    async run (ctx, jobIds, values) {
      const f = filters(values)
      const filtered = Object.values(f).some((v) => v !== undefined)
      if (jobIds.length === 0 && !filtered && values.all !== true) {
        throw new UsageError(`name job ids or a filter (--code, --source, --since, --until), or pass --all to ${verb} every failed job`)
      }
      // The service takes no empty selection either; "since the epoch" is how --all says everything.
      if (values.all === true && jobIds.length === 0 && f.since === undefined) f.since = new Date(0).toISOString()
      const body = { ...(jobIds.length > 0 ? { jobIds } : {}), ...Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)), dryRun: values['dry-run'] === true }
      const reply = await ctx.api.call<ActReply>('POST', `/ops/failed/${verb}`, { body })
      if (ctx.json) { ctx.out(JSON.stringify(reply, null, 2)); return 0 }
      if (reply.matched === 0) { ctx.out('no failed job matched'); return 0 }
      const head = reply.dryRun ? `would ${verb} ${count(reply.matched, 'job')} (dry run: nothing changed)` : `${done} ${count(reply.matched, 'job')}`
      // A dry run is for deciding: it says who each job is for and why it failed, not only its id.
      const list = reply.dryRun ? await describeJobs(ctx, f, reply.jobIds) : reply.jobIds.map((id) => `  ${clean(id)}`).join('\n')
      ctx.out(`${head}:\n${list}`)
      return 0
    }
  }
}

export const retryCommand = actCommand('retry')
export const discardCommand = actCommand('discard')
