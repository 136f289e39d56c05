/**
 * Reconciliation runs from the terminal: `reconcile` starts one (or shows one with --run) and with
 * --wait follows it to the end with a progress bar; `reconcile --list` and `reconcile-runs` list
 * recent runs. Exit code 0 when the run is done (or started), 1 when it failed or was refused.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { expectArgs, str, wholeNumber } from './args.js'
import { createProgressReporter } from './progress.js'
import { renderRun, renderRuns, type RunView } from './reconcile-view.js'
import { CliError, ServiceRefusal, UsageError, type Command, type Ctx } from './types.js'

const SOURCES = ['okta', 'graph', 'enerflo', 'all']
const RUN_ID = /^[0-9a-f-]{36}$/
const BIN = 'enerflo-user-sync'

const runPath = (id: string): string => `/ops/reconcile/${encodeURIComponent(id)}`

async function listRuns (ctx: Ctx): Promise<number> {
  const reply = await ctx.api.call<{ runs: RunView[] }>('GET', '/ops/reconcile')
  ctx.out(ctx.json ? JSON.stringify(reply, null, 2) : renderRuns(reply.runs))
  return 0
}

/** Polls the run until it is no longer running, drawing its progress on stderr. */
async function follow (ctx: Ctx, id: string, everyMs: number): Promise<RunView> {
  const progress = createProgressReporter(ctx.err)
  try {
    for (;;) {
      const run = await ctx.api.call<RunView>('GET', runPath(id))
      progress.update(run.progress)
      if (run.state !== 'running') return run
      await sleep(everyMs)
    }
  } finally {
    progress.end()
  }
}

/** Starts a run; a 409 names the run already going and how to follow it instead. */
async function start (ctx: Ctx, source: string, full: boolean, dryRun: boolean): Promise<string> {
  try {
    const reply = await ctx.api.call<{ id: string }>('POST', '/ops/reconcile', { body: { source, mode: full ? 'full' : 'incremental', dryRun } })
    return reply.id
  } catch (err) {
    if (!(err instanceof ServiceRefusal) || err.status !== 409) throw err
    const said = (err.body as { message?: unknown } | null)?.message
    const running = typeof said === 'string' ? /[0-9a-f]{8}-[0-9a-f-]{27}/.exec(said)?.[0] : undefined
    throw new CliError(`not started: ${typeof said === 'string' ? said : 'a run for that source is already going'}${running === undefined ? '' : `; follow it: ${BIN} reconcile --run ${running} --wait`}`)
  }
}

export const reconcileCommand: Command = {
  name: 'reconcile',
  args: '',
  summary: 'Start a reconciliation run (dry run first), follow it with --wait, or list runs.',
  details: [
    'Compares every user with what Enerflo should hold and queues a sync only where they differ;',
    'a dry run only reports what would happen (link, update, create, unresolved, …).',
    'Examples:',
    `  ${BIN} reconcile --source enerflo --dry-run --wait`,
    `  ${BIN} reconcile --run <id> --wait     follow a run already going`,
    `  ${BIN} reconcile --list`,
    'With --wait: a progress bar on a terminal (plain lines otherwise) on stderr, then the counts',
    'by action and how to download the report. Ctrl-C stops following; the run goes on.',
    'Exit code 1 when the run failed, or when a run for that source is already going (named).'
  ],
  options: {
    source: { type: 'string', value: '<source>', description: 'okta, graph, enerflo or all' },
    full: { type: 'boolean', description: 'a full pass instead of an incremental one' },
    'dry-run': { type: 'boolean', description: 'report what would happen; write nothing' },
    wait: { type: 'boolean', description: 'follow the run to its end with its progress' },
    run: { type: 'string', value: '<id>', description: 'show this run instead of starting one (with --wait: follow it)' },
    list: { type: 'boolean', description: 'list recent runs (as reconcile-runs does)' },
    interval: { type: 'string', value: '<ms>', description: 'with --wait: ask for progress this often (default 1000)' }
  },
  async run (ctx, positionals, values) {
    expectArgs(positionals, [])
    const source = str(values, 'source')?.toLowerCase()
    let id = str(values, 'run')
    const starting = source !== undefined || values.full === true || values['dry-run'] === true
    if (values.list === true) {
      if (starting || id !== undefined || values.wait === true) throw new UsageError('--list lists runs: it takes no --source, --run or --wait')
      return await listRuns(ctx)
    }
    if (id !== undefined && starting) throw new UsageError('--run shows a run already started: it takes no --source, --full or --dry-run')
    if (id !== undefined && !RUN_ID.test(id)) throw new UsageError(`--run must be a run id as reconcile printed it (got ${JSON.stringify(id)})`)
    if (id === undefined && source === undefined) throw new UsageError('name the source to reconcile: --source okta, graph, enerflo or all (or --list, or --run <id>)')
    if (source !== undefined && !SOURCES.includes(source)) throw new UsageError(`--source must be one of ${SOURCES.join(', ')} (got ${JSON.stringify(source)})`)
    const everyMs = wholeNumber(str(values, 'interval'), '--interval', 50) ?? 1000
    if (id === undefined) {
      id = await start(ctx, source ?? '', values.full === true, values['dry-run'] === true)
      if (values.wait !== true) {
        ctx.out(ctx.json ? JSON.stringify({ id }) : `started reconciliation run ${id}\nfollow it: ${BIN} reconcile --run ${id} --wait`)
        return 0
      }
      if (!ctx.json) ctx.out(`started reconciliation run ${id}`)
    }
    const run = values.wait === true ? await follow(ctx, id, everyMs) : await ctx.api.call<RunView>('GET', runPath(id))
    ctx.out(ctx.json ? JSON.stringify(run, null, 2) : renderRun(run, ctx.api.url))
    return run.state === 'failed' ? 1 : 0
  }
}

export const reconcileRunsCommand: Command = {
  name: 'reconcile-runs',
  args: '',
  summary: 'Recent reconciliation runs, newest first, with their state and counts.',
  async run (ctx, positionals) {
    expectArgs(positionals, [])
    return await listRuns(ctx)
  }
}
