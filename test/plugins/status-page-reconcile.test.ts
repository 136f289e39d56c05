// The status page's reconciliation card, beside status-page.test.ts (which is at its size limit).
import t from 'tap'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { chromium, type Page } from 'playwright-core'
import { startHarness, type Harness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'

const CHROMIUM = '/usr/bin/chromium'
const noBrowser = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does it)`
const IN_CI = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase())
if (noBrowser !== false && IN_CI) t.fail(`CI=${String(process.env.CI)} but ${noBrowser}`)
const SHOTS = '.tap/screenshots'

interface ReconcileStatus {
  running: Array<{ id: string, source: string, progress: { scanned: number, total: number | null }, etaSeconds: number | null }>
  last: Record<string, { id: string, state: string, counts: Record<string, number>, durationSeconds: number, error: string | null, report: string }>
  next: Record<string, { incremental: string | null, full: string | null }>
}

const status = async (h: Harness, query = ''): Promise<{ status: string, reasons: string[], reconcile: ReconcileStatus }> =>
  (await h.app.inject({ method: 'GET', url: `/status${query}`, headers: h.ops })).json()

/** A real dry run of the enerflo pass over three linked users, to its end. */
async function dryRun (h: Harness): Promise<string> {
  for (const [key, id] of [['okta:00urep', 502], ['okta:00usetter', 503], ['okta:00unolink', 504]] as const) await h.app.store.link(key, id)
  const res = await h.app.inject({ method: 'POST', url: '/ops/reconcile', headers: { ...h.ops, 'content-type': 'application/json' }, payload: { source: 'enerflo', dryRun: true } })
  if (res.statusCode !== 202) throw new Error(`reconcile answered ${res.statusCode}: ${res.body}`)
  const { id } = res.json() as { id: string }
  await waitFor('the run to finish', async () => (await h.app.runs.get(id))?.state, (s) => s === 'done', 20_000)
  return id
}

t.test('/status: the run going with its ETA, the last run per source, a failed run\'s reason', async (t) => {
  const h = await startHarness(t)
  const none = (await status(h)).reconcile
  t.same([none.running, none.last], [[], {}], 'no runs yet')
  const id = await dryRun(h)
  const done = (await status(h)).reconcile
  t.same(done.running, [])
  t.match(done.last.enerflo, { id, state: 'done', counts: { update: 3 }, error: null, report: `/ops/reconcile/${id}/report?format=csv`, durationSeconds: Number })

  const started = await h.app.runs.start('enerflo', 'full', false)
  if (!('run' in started)) throw new Error('the lock was not released')
  const going = started.run
  // Started ten seconds ago with half of it scanned: about ten seconds left at that rate.
  going.startedAt = new Date(Date.now() - 10_000).toISOString()
  going.progress = { scanned: 2, total: 4, queued: 1 }
  await h.app.runs.progress(going, [])
  const mid = (await status(h)).reconcile
  t.match(mid.running, [{ id: going.id, source: 'enerflo', progress: { scanned: 2, total: 4, queued: 1 } }])
  t.ok((mid.running[0]?.etaSeconds ?? 0) >= 10, `an ETA from the rate so far (${String(mid.running[0]?.etaSeconds)} s)`)
  t.equal(mid.last.enerflo?.id, id, 'the last finished run is still shown while the next one goes')

  await h.app.runs.finish(going, 'Enerflo refused the list: rep@example.com is not allowed')
  const failed = await status(h)
  t.match(failed.reconcile.last.enerflo, { id: going.id, state: 'failed', error: 'Enerflo refused the list: r***@example.com is not allowed' }, 'the reason, masked')
  t.ok(failed.reasons.some((r) => /last enerflo reconciliation run failed/.test(r)), 'and said among the reasons')
  t.equal(failed.status, 'degraded')
  t.match((await status(h, '?reveal=true')).reconcile.last.enerflo?.error, /rep@example\.com/, 'unmasked when asked')
})

t.test('/status: when each configured provider\'s incremental and full passes are next due; null when a schedule is off', async (t) => {
  const h = await startHarness(t)
  const before = Date.now()
  // The schedules are set once the app is ready, without holding up the start.
  const next = await waitFor('the schedules', async () => (await status(h)).reconcile.next, (n) => n['okta']?.incremental !== null && n['okta']?.full !== null)
  t.same(Object.keys(next), ['okta'], 'only the configured provider (the harness has no Graph)')
  const inc = Date.parse(next['okta']?.incremental ?? '')
  const full = Date.parse(next['okta']?.full ?? '')
  t.ok(inc >= before + 900_000 - 1000 && inc <= Date.now() + 900_000 + 1000, `incremental one RECONCILE_INTERVAL_MS (15 min) from start: ${next['okta']?.incremental ?? ''}`)
  t.ok(full >= before + 86_400_000 - 1000 && full <= Date.now() + 86_400_000 + 1000, `full one RECONCILE_FULL_INTERVAL_MS (24 h) from start: ${next['okta']?.full ?? ''}`)

  const off = await startHarness(t, { env: { RECONCILE_INTERVAL_MS: '0', RECONCILE_FULL_INTERVAL_MS: '3600000' } })
  const n2 = await waitFor('the full schedule', async () => (await status(off)).reconcile.next, (n) => n['okta']?.full !== null)
  t.equal(n2['okta']?.incremental, null, 'an interval of 0: no incremental schedule')
  t.ok(Date.parse(n2['okta']?.full ?? '') <= Date.now() + 3_600_000 + 1000, 'the full one at its own interval')
})

const value = async (page: Page, key: string): Promise<string | undefined> =>
  await page.locator(`[data-k="${key}"]`).first().textContent({ timeout: 1000 }).then((s) => s ?? undefined, () => undefined)

t.test('the page: a finished dry run with its counts and its report to download, then a run going', { skip: noBrowser }, async (t) => {
  mkdirSync(SHOTS, { recursive: true })
  const h = await startHarness(t)
  const id = await dryRun(h)
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const addr = h.app.server.address()
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  t.teardown(async () => await browser.close())
  const problems: string[] = []
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
  const page = await context.newPage()
  page.on('pageerror', (err) => problems.push(err.message))
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()) })
  await page.goto(`${base}/ops#token=${encodeURIComponent(h.config.OPS_TOKEN ?? '')}`)

  t.equal(await waitFor('the card', () => value(page, 'reconcile.enerflo.state'), (v) => v !== undefined), 'done')
  t.equal(await value(page, 'reconcile.enerflo.counts'), 'update 3')
  t.match(await value(page, 'reconcile.enerflo.duration'), /^\d+(s|m)/)
  t.equal(await value(page, 'reconcile.running'), 'No run going.')
  t.match(await waitFor('the next passes', () => value(page, 'reconcile.next.okta.incremental'), (v) => v !== undefined), /^in 1[45] min · /, 'the next incremental pass, from the schedule')
  t.match(await value(page, 'reconcile.next.okta.full'), /^in 2[34] h · /)
  const expected = (await h.app.inject({ method: 'GET', url: `/ops/reconcile/${id}/report?format=csv`, headers: h.ops })).body
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('[data-k="reconcile.enerflo.download"]')])
  t.equal(file.suggestedFilename(), `reconcile-enerflo-${id}.csv`)
  t.equal(readFileSync(await file.path(), 'utf8'), expected, 'the report, fetched with the token')
  t.match(expected, /^source,id,enerflo_id,action,fields,reason\nokta,/)
  await page.screenshot({ path: `${SHOTS}/reconcile-done-1280.png`, fullPage: true })

  const started = await h.app.runs.start('enerflo', 'incremental', true)
  if (!('run' in started)) throw new Error('the lock was not released')
  started.run.progress = { scanned: 1, total: 4, queued: 0 }
  await h.app.runs.progress(started.run, [])
  t.match(await waitFor('the running run', () => value(page, 'reconcile.running.enerflo'), (v) => v !== undefined), /^scanned 1 of 4 · queued 0( · ETA \S+)?$/)
  t.equal(await page.locator('#reconcile progress').getAttribute('max'), '4')
  t.equal(await value(page, 'reconcile.enerflo.state'), 'done', 'the last finished run stays beside it')
  await page.setViewportSize({ width: 390, height: 844 })
  await page.screenshot({ path: `${SHOTS}/reconcile-running-390.png`, fullPage: true })
  await h.app.runs.finish(started.run)
  t.same(problems, [], 'no script errors or CSP violations')
})
