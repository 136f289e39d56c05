// Issue 15 items 5 and 9: every state of the status page in a real browser, a screenshot of each.
import t, { type Test } from 'tap'
import { existsSync, mkdirSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { freePort } from '../helpers/redis.js'
import { waitFor } from '../helpers/wait.js'
import { createBrake } from '../../src/sync/brake.js'

const CHROMIUM = '/usr/bin/chromium'
const noBrowser = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does it)`
const IN_CI = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase())
if (noBrowser !== false && IN_CI) t.fail(`CI=${String(process.env.CI)} but ${noBrowser}`)
const SHOTS = '.tap/screenshots'

const baseOf = async (app: Harness['app']): Promise<string> => {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const addr = app.server.address()
  return `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
}

const text = async (page: Page, selector: string): Promise<string> => (await page.locator(selector).first().textContent()) ?? ''

t.test('the status page, state by state', { skip: noBrowser }, async (t) => {
  mkdirSync(SHOTS, { recursive: true })
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  t.teardown(async () => await browser.close())
  const problems = new WeakMap<Page, string[]>()
  const open = async (url: string): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 900 }, timezoneId: 'UTC' })).newPage()
    const seen: string[] = []
    problems.set(page, seen)
    page.on('pageerror', (err) => seen.push(err.message))
    // The 401 of the token prompt is the point of that state; chromium logs it as an error.
    page.on('console', (msg) => { if (msg.type() === 'error' && !/status of 401/.test(msg.text())) seen.push(msg.text()) })
    await page.goto(url)
    return page
  }
  /** The picture for people, and the check that nothing went wrong in the page. */
  const shot = async (t: Test, page: Page, name: string): Promise<void> => {
    await page.screenshot({ path: `${SHOTS}/state-${name}.png`, fullPage: true })
    t.same(problems.get(page), [], 'no script errors or CSP violations')
  }
  const loaded = async (page: Page): Promise<void> => { await page.locator('#main').waitFor({ state: 'visible' }) }

  const h = await startHarness(t, { redisArgs: ['--appendonly', 'yes'] })
  const token = h.config.OPS_TOKEN ?? ''
  const base = await baseOf(h.app)

  t.test('no token: the badge says what it waits for, not "loading"', async (t) => {
    const page = await open(`${base}/ops`)
    await page.locator('#login').waitFor({ state: 'visible' })
    t.equal(await text(page, '#badge'), 'needs token')
    await shot(t, page, 'no-token')
  })

  t.test('loading: while /status has not answered yet', async (t) => {
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => { release = resolve })
    const page = await (await browser.newContext({ viewport: { width: 390, height: 900 } })).newPage()
    problems.set(page, [])
    await page.route('**/status', async (route) => { await held; await route.continue() })
    await page.goto(`${base}/ops#token=${encodeURIComponent(token)}`)
    t.equal(await text(page, '#badge'), 'loading')
    await shot(t, page, 'loading')
    release()
    await loaded(page)
    t.not(await text(page, '#badge'), 'loading', 'and it ends')
  })

  t.test('healthy: humane labels, times with their zone, recent activity, ids whole', async (t) => {
    const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep' }]) })
    t.equal(res.statusCode, 200)
    await waitFor('the sync', async () => (await h.app.store.recent(5)).length, (n) => n >= 1)
    const page = await open(`${base}/ops#token=${encodeURIComponent(token)}`)
    await page.locator('[data-k="recent.item"]').first().waitFor()
    t.equal(await text(page, '#badge'), 'ok')
    t.match(await text(page, '[data-k="recent.item"]'), /^okta:00urep · applied · .*first_name.* · just now|^okta:00urep · applied · .* · \d+ s ago/)
    t.match(await text(page, '#updated'), /\d:\d\d( [AP]M)? UTC$/, 'the zone is named')
    t.match(await text(page, '[data-k="okta.lastEvent"]'), /UTC$/)
    const labels = await page.locator('#sources dt').allTextContents()
    t.ok(labels.includes('user changes') && labels.includes('jobs queued'), `humane labels: ${labels.join(' | ')}`)
    t.notOk(labels.some((l) => /^[a-z]+\.[a-z-]+$/.test(l)), 'no raw dotted keys')
    const id = page.locator('[data-k="last.success"]')
    t.equal(await id.evaluate((e) => getComputedStyle(e).whiteSpace), 'nowrap', 'an id never wraps mid-token')
    t.equal(await id.getAttribute('title'), 'okta:00urep', 'the whole id is its title')
    await shot(t, page, 'healthy')
  })

  t.test('degraded: a user without an Enerflo id', async (t) => {
    await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.lifecycle.create', userId: '00unolink' }]) })
    await waitFor('the user parked', async () => await h.app.store.isUnresolved('okta:00unolink'), (v) => v)
    const page = await open(`${base}/ops#token=${encodeURIComponent(token)}`)
    await page.locator('#badge', { hasText: 'degraded' }).waitFor()
    t.equal(await text(page, '#unresolved-count'), '1')
    t.match(await text(page, '[data-k="recent.item"]'), /^okta:00unolink · no Enerflo user/)
    await shot(t, page, 'degraded')
  })

  t.test('down: unknown is unknown, with the next step', async (t) => {
    const dead = `redis://127.0.0.1:${await freePort()}`
    const off = await h.buildAnother({ REDIS_URL: dead, SERVICE_ROLE: 'api' })
    const json = (await off.inject({ method: 'GET', url: '/status', headers: h.ops })).json()
    t.match(json, { status: 'down', redis: { reachable: false, latencyMs: null }, queue: null, enerflo: null, sources: null, unresolved: null, recent: null, drainEtaSeconds: null })
    t.match(json.reasons[0], new RegExp(`^Redis at ${dead} is unreachable: start it or check REDIS_URL; deliveries get 503 until it is back`))
    t.match(json.unknown, { reason: /unknown until it is back/, sections: ['queue', 'enerflo', 'sources', 'sync', 'unresolved', 'recent', 'failures', 'retrying', 'reconcile', 'holds'] })
    const page = await open(`${await baseOf(off)}/ops#token=${encodeURIComponent(token)}`)
    await page.locator('#badge', { hasText: 'down' }).waitFor()
    for (const k of ['last.failure', 'last.success', 'budget.used', 'queue.waiting', 'redis.latency']) t.equal(await text(page, `[data-k="${k}"]`), 'unknown', k)
    t.equal(await text(page, '#unresolved-count'), 'unknown')
    t.equal(await text(page, '#sources p'), 'unknown', 'not "no sources"')
    for (const k of ['failures.total', 'retrying.total']) t.equal(await text(page, `[data-k="${k}"]`), 'unknown', `${k}, not 0`)
    t.equal(await text(page, '#reconcile p'), 'unknown', 'not "no runs yet"')
    t.match(await text(page, '#unknown'), /^Unknown: queue, enerflo, sources.* is unreachable/)
    await shot(t, page, 'down')
  })

  t.test('shadow mode', async (t) => {
    const shadow = await h.buildAnother({ SYNC_MODE: 'shadow', SERVICE_ROLE: 'api' })
    const page = await open(`${await baseOf(shadow)}/ops#token=${encodeURIComponent(token)}`)
    await page.locator('#sync-mode').waitFor({ state: 'visible' })
    await shot(t, page, 'shadow')
  })

  t.test('a reconciliation pass running', async (t) => {
    // An API-only app runs no workers: the pass it starts stays running for the picture.
    const api = await h.buildAnother({ SERVICE_ROLE: 'api' })
    const res = await api.inject({ method: 'POST', url: '/ops/reconcile', headers: { ...h.ops, 'content-type': 'application/json' }, payload: { source: 'enerflo' } })
    t.equal(res.statusCode, 202, res.body)
    const page = await open(`${await baseOf(api)}/ops#token=${encodeURIComponent(token)}`)
    await page.locator('#reconcile progress, #reconcile [data-k^="reconcile.running"]').first().waitFor()
    await shot(t, page, 'pass-running')
  })

  t.test('a hold waiting: why, how many, since when, and how to release or discard it', async (t) => {
    // The brake's own code makes the hold (a limit of 0 holds the first destructive change), so
    // the picture shows what an operator sees; the workers of the other states stay as they are.
    const brake = createBrake(h.app.redis, 'test', { windowMs: 3_600_000, maxPercent: 0, minUsers: 0 })
    const plan = { kind: 'send' as const, reason: 'Okta says so', notes: [], enerfloId: 502, how: 'link' as const, linkTo: undefined, baseline: { active: true }, inDoubt: undefined, body: { id: 502, active: false }, changes: { active: { from: true, to: false } }, firstSight: false }
    t.ok('held' in await brake.apply('okta:00urep', plan), 'held')
    const page = await open(`${base}/ops#token=${encodeURIComponent(token)}`)
    await page.locator('[data-k="holds.open"]').waitFor()
    t.equal(await text(page, '[data-k="holds.open"]'), 'Hold 1 — 1 user waiting for a person')
    t.match(await text(page, '[data-k="holds.reason"]'), /^1 destructive changes within 1 h: more than 0% of \d+ linked users/)
    // Under load the page may draw a second or more after the hold began.
    t.match(await text(page, '[data-k="holds.since"]'), /^since (just now|\d+ s ago) · .* UTC$/)
    t.match(await text(page, '[data-k="holds.hint"]'), /enerflo-user-sync holds release 1; discard applies none of them enerflo-user-sync holds discard 1\./)
    t.equal(await text(page, '#badge'), 'degraded')
    t.match(await page.locator('#reasons').textContent(), /the brake holds the destructive changes of 1 user\(s\) \(hold 1/)
    await shot(t, page, 'hold-waiting')
    const res = await h.app.inject({ method: 'POST', url: '/ops/holds/1/discard', headers: h.ops })
    t.equal(res.statusCode, 200, 'discarded, so the states after this one have no hold')
    await page.locator('#holds', { hasText: 'none: the brake holds nothing' }).waitFor()
  })

  t.test('/docs keeps to its own CSP', async (t) => {
    const page = await open(`${base}/docs`)
    await page.locator('.opblock').first().waitFor()
    await page.locator('.opblock-summary').first().click()
    await page.locator('.responses-wrapper').first().waitFor()
    t.same(problems.get(page), [], 'no CSP violation (swagger-ui\'s own <style> is allowed by its hash)')
  })
})
