import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../src/cli/main.js'
import { bar, createEta, createProgressReporter, progressText } from '../src/cli/progress.js'
import { startHarness, secret } from './helpers/harness.js'
import { waitFor } from './helpers/wait.js'

interface Run { code: number, out: string, err: string }

/** Runs the CLI in-process; `live` sees its output while it still runs. */
function start (argv: string[], env: Record<string, string | undefined>): { live: Run, done: Promise<Run> } {
  const live: Run = { code: -1, out: '', err: '' }
  const done = main(argv, { stdout: { write: (s: string) => { live.out += s } }, stderr: { write: (s: string) => { live.err += s } }, env })
    .then((code) => { live.code = code; return live })
  return { live, done }
}

t.test('progress: a rate from what the polls saw, a bar on a terminal, lines elsewhere', async (t) => {
  const eta = createEta()
  t.equal(eta({ scanned: 0, total: null, queued: 0 }, 0), undefined, 'nothing to measure yet')
  t.equal(eta({ scanned: 40, total: null, queued: 0 }, 1000), undefined, 'no total, no ETA')
  t.equal(eta({ scanned: 0, total: 100, queued: 0 }, 2000), undefined, 'a new total starts the measurement again')
  t.equal(eta({ scanned: 25, total: 100, queued: 3 }, 7000), 15_000, '25 in 5 s: 75 more take 15 s')
  t.equal(eta({ scanned: 10, total: 100, queued: 3 }, 8000), undefined, 'a count that went back starts again too')
  t.equal(progressText({ scanned: 25, total: 100, queued: 3 }, 15_000), 'scanned 25 of 100 (25%) · queued 3 · ETA 15s')
  t.equal(progressText({ scanned: 4, total: null, queued: 0 }, undefined), 'scanned 4 (total not known yet) · queued 0')
  t.equal(bar({ scanned: 1, total: 4, queued: 0 }, 8), '[##......]')
  t.equal(bar({ scanned: 0, total: 0, queued: 0 }, 4), '[....]')

  let clock = 0
  let tty = ''
  const onTerminal = createProgressReporter({ isTTY: true, columns: 50, write: (s: string) => { tty += s } }, () => clock)
  onTerminal.update({ scanned: 0, total: 10, queued: 0 })
  clock = 2000
  onTerminal.update({ scanned: 5, total: 10, queued: 1 })
  onTerminal.end()
  t.equal(tty, '\r[........................] scanned 0 of 10 (0%)\u001b[K' +
    '\r[############............] scanned 5 of 10 (50%)\u001b[K\n', 'redrawn in place, cut to the width, a newline at the end')

  let log = ''
  const inLog = createProgressReporter({ write: (s: string) => { log += s } }, () => clock)
  for (const scanned of [0, 0, 5, 5, 10]) { inLog.update({ scanned, total: 10, queued: 0 }); clock += 1000 }
  inLog.end()
  t.equal(log, 'scanned 0 of 10 (0%) · queued 0\nscanned 5 of 10 (50%) · queued 0 · ETA 2s\nscanned 10 of 10 (100%) · queued 0 · ETA 0s\n', 'one line per change, no carriage returns')
})

t.test('usage errors are exit code 2', async (t) => {
  const env = { ENERFLO_SYNC_URL: 'http://127.0.0.1:9' }
  const cases: Array<[string[], RegExp]> = [
    [['reconcile'], /name the source to reconcile: --source okta, graph, enerflo or all/],
    [['reconcile', '--source', 'scim'], /--source must be one of okta, graph, enerflo, all \(got "scim"\)/],
    [['reconcile', '--list', '--source', 'enerflo'], /--list lists runs/],
    [['reconcile', '--run', 'nope'], /--run must be a run id/],
    [['reconcile', '--run', '2f1c0f3e-5b1a-4c49-9a43-0a3c1d2e3f40', '--full'], /--run shows a run already started/],
    [['reconcile', '--source', 'enerflo', '--interval', '5'], /--interval must be a whole number ≥ 50/],
    [['reconcile', 'enerflo'], /unexpected enerflo/],
    [['links', '--source', 'ldap'], /--source must be okta, graph or scim/],
    [['links', '--csv', '--json'], /pick one/]
  ]
  for (const [argv, message] of cases) {
    const r = await start(argv, env).done
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.err, message)
  }
  const help = await start(['--help'], env).done
  t.match(help.out, /\n {2}links +List identity links/)
  t.match(help.out, /\n {2}reconcile +Start a reconciliation run/)
  t.match(help.out, /\n {2}reconcile-runs +Recent reconciliation runs/)
  t.match((await start(['reconcile', '--help'], env).done).out, /--dry-run +report what would happen; write nothing/)
})

t.test('against a running service', async (t) => {
  const opsToken = secret()
  const h = await startHarness(t, { env: { OPS_TOKEN: opsToken } })
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const addr = h.app.server.address()
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
  const env = { ENERFLO_SYNC_URL: base, OPS_TOKEN: opsToken }
  const run = async (...argv: string[]): Promise<Run> => await start(argv, env).done
  for (const [key, id] of [['okta:00urep', 502], ['okta:00usetter', 503], ['okta:00unolink', 504]] as const) t.same(await h.app.store.link(key, id), { ok: true })

  t.test('links, and links --csv round-trips through import-links --dry-run', async (t) => {
    const list = await run('links')
    t.equal(list.code, 0, list.err)
    t.match(list.out, /^USER +SOURCE +IDP USER ID +ENERFLO USER\nokta:00unolink +okta +00unolink +504\nokta:00urep +okta +00urep +502\n/)
    t.match(list.out, /\n3 links\n$/)
    t.match((await run('links', '--limit', '1')).out, /1 of 3; next page: --offset 1/)
    t.equal(JSON.parse((await run('links', '--json', '--source', 'okta')).out).total, 3)
    t.equal((await run('links', '--source', 'graph')).out, 'no identity links stored\n')
    const csv = await run('links', '--csv')
    t.equal(csv.code, 0, csv.err)
    t.equal(csv.out, 'source,idp_user_id,enerflo_user_id\nokta,00unolink,504\nokta,00urep,502\nokta,00usetter,503\n')
    const file = join(mkdtempSync(join(tmpdir(), 'cli-links-')), 'links.csv')
    writeFileSync(file, csv.out)
    const back = await run('import-links', file, '--dry-run')
    t.equal(back.code, 0, back.err)
    t.match(back.out, /^dry run, nothing stored: would link 0 users, 3 already linked, would reject 0 rows\n/)
    t.equal((back.out.match(/\n\d +unchanged +okta:/g) ?? []).length, 3, 'every row unchanged')
  })

  t.test('reconcile --dry-run --wait: progress lines, counts, the report to download', async (t) => {
    const r = await run('reconcile', '--source', 'enerflo', '--dry-run', '--wait', '--interval', '50')
    t.equal(r.code, 0, r.err)
    const id = /^started reconciliation run ([0-9a-f-]{36})\n/.exec(r.out)?.[1] ?? ''
    t.ok(id, 'the run id first')
    t.match(r.out, new RegExp(`run ${id}: done in \\S+ \\(enerflo, incremental, dry run: nothing written\\)\\n {2}scanned 3 of 3 · queued 0`))
    t.match(r.out, /ACTION +USERS\nupdate +3\n/, 'never-synced users count as updates')
    t.match(r.out, new RegExp(`report: ${base}/ops/reconcile/${id}/report\\?format=csv\\n {2}curl -fsS -H "Authorization: Bearer \\$OPS_TOKEN" -o reconcile-${id}.csv`))
    t.notMatch(r.err, /\r/, 'not a terminal: no carriage returns')
    t.match(r.err, /scanned 3 of 3 \(100%\) · queued 0/, 'the last progress line')
    t.equal((await h.app.inject({ method: 'GET', url: `/ops/reconcile/${id}/report?format=csv`, headers: h.ops })).statusCode, 200, 'the report is there')
    const json = await run('reconcile', '--run', id, '--json')
    t.match(JSON.parse(json.out), { id, state: 'done', report: { update: 3 } })
  })

  t.test('a run already going is named; following it shows each step; a failed run is exit 1', async (t) => {
    const started = await h.app.runs.start('enerflo', 'full', true)
    if (!('run' in started)) throw new Error('a run is still going')
    const { run: going } = started
    const refused = await run('reconcile', '--source', 'enerflo')
    t.equal(refused.code, 1)
    t.match(refused.err, new RegExp(`not started: a enerflo run is already going: (enerflo: )?${going.id} .*; follow it: enerflo-user-sync reconcile --run ${going.id} --wait`))

    const follow = start(['reconcile', '--run', going.id, '--wait', '--interval', '50'], env)
    const step = async (scanned: number, seen: RegExp): Promise<void> => {
      going.progress = { scanned, total: 4, queued: 0 }
      await h.app.runs.progress(going, [])
      await waitFor(`the CLI to show ${String(seen)}`, () => follow.live.err, (e) => seen.test(e))
    }
    await step(0, /scanned 0 of 4 \(0%\) · queued 0\n/)
    await step(2, /scanned 2 of 4 \(50%\) · queued 0 · ETA \d+s\n/)
    going.progress.scanned = 4
    await h.app.runs.progress(going, [1, 2, 3, 4].map((n) => ({ source: 'okta', id: `00u${n}`, enerfloId: n, action: n === 1 ? 'link' as const : 'unchanged' as const, fields: [] })))
    await h.app.runs.finish(going)
    const followed = await follow.done
    t.equal(followed.code, 0, followed.err)
    t.match(followed.out, /ACTION +USERS\nlink +1\nunchanged +3\n/, 'counts in the order of the contract')
    // The CLI's first poll may come before the first step is stored: that one line says the
    // total is not known yet. Every other line is a step, each once.
    const lines = followed.err.split('\n').filter(Boolean)
    const steps = lines.filter((l) => !l.includes('total not known yet'))
    t.equal(steps.length, 3, 'one line per step, none for an unchanged poll')
    t.ok(lines.length - steps.length <= 1, 'at most one line from before the run had a total')

    const again = await h.app.runs.start('enerflo', 'incremental', false)
    if (!('run' in again)) throw new Error('the lock was not released')
    const watcher = start(['reconcile', '--run', again.run.id, '--wait', '--interval', '50'], env)
    await waitFor('the CLI to poll', () => watcher.live.err, (e) => e.length > 0)
    await h.app.runs.finish(again.run, 'Enerflo answered 503 while reading its user list')
    const failed = await watcher.done
    t.equal(failed.code, 1, 'a failed run is exit code 1')
    t.match(failed.out, /: FAILED in \S+ \(enerflo, incremental\)\n.*\n {2}reason: Enerflo answered 503 while reading its user list\n/)
    t.equal((await run('reconcile', '--run', again.run.id)).code, 1, 'also when only shown')

    const list = await run('reconcile', '--list')
    t.equal(list.code, 0, list.err)
    t.match(list.out, new RegExp(`^RUN +SOURCE +MODE +DRY RUN +STATE +STARTED +TOOK +COUNTS\\n${again.run.id} +enerflo +incremental +no +failed .*\\(Enerflo answered 503`))
    t.match(list.out, new RegExp(`\\n${going.id} +enerflo +full +yes +done .* link 1, unchanged 3\\n`))
    t.match((await run('reconcile-runs')).out, new RegExp(`^RUN .*\\n${again.run.id} .*\\n${going.id} `), 'reconcile-runs lists the same, newest first')
    t.equal(JSON.parse((await run('reconcile-runs', '--json')).out).runs.length, 3)
    const json = await run('reconcile', '--source', 'enerflo', '--dry-run', '--json')
    t.match(JSON.parse(json.out), { id: /^[0-9a-f-]{36}$/ }, '--json without --wait prints the id')
    await waitFor('that run to end', async () => (await h.app.runs.list())[0]?.state, (s) => s !== 'running')
  })
})
