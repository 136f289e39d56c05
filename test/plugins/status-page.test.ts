import t, { type Test } from 'tap'
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { startHarness, delivery, secret, type Harness } from '../helpers/harness.js'
import { startGraphHarness } from '../helpers/graph-harness.js'
import { waitFor } from '../helpers/wait.js'
import { prefersHtml } from '../../plugins/status/page.js'

const CHROMIUM = '/usr/bin/chromium'
const noBrowser = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does it)`
// CI must run the browser tests: there a missing chromium is a failure, not a skip.
const IN_CI = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase())
if (noBrowser !== false) {
  if (IN_CI) t.fail(`CI=${String(process.env.CI)} but ${noBrowser}`)
  else t.comment(`skipping the browser tests: ${noBrowser}`)
}
// Screenshots for people to look at; .tap/ is gitignored.
const SHOTS = '.tap/screenshots'
const BROWSER_HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'

t.test('Accept negotiation: browsers get the page, everyone else JSON', async (t) => {
  t.ok(prefersHtml(BROWSER_HTML))
  t.ok(prefersHtml('text/html'))
  t.notOk(prefersHtml(undefined), 'no Accept (curl without -H) is JSON')
  t.notOk(prefersHtml('*/*'))
  t.notOk(prefersHtml('application/json'))
  t.notOk(prefersHtml('application/json, text/html'), 'a tie goes to JSON')
  t.notOk(prefersHtml('text/html;q=0.5, application/json'))
  t.notOk(prefersHtml('text/html;q=0'))
  t.ok(prefersHtml('application/json;q=0.2, text/html'))
})

t.test('the shell and its headers', async (t) => {
  const opsToken = secret()
  const h = await startHarness(t, { env: { OPS_TOKEN: opsToken } })
  const page = await h.app.inject({ method: 'GET', url: '/ops' })
  t.equal(page.statusCode, 200, 'the shell needs no token: it holds no data')
  t.match(page.headers['content-type'], /^text\/html; charset=utf-8/)
  const csp = String(page.headers['content-security-policy'])
  t.match(csp, /default-src 'none'/)
  t.match(csp, /script-src 'self'(;|$)/)
  t.match(csp, /style-src 'self'(;|$)/)
  t.match(csp, /connect-src 'self'/)
  t.notMatch(csp, /unsafe/, 'no unsafe-inline or unsafe-eval')
  t.equal(page.headers['x-content-type-options'], 'nosniff')
  t.equal(page.headers['referrer-policy'], 'no-referrer')
  t.equal(page.headers['x-frame-options'], 'DENY')
  t.notMatch(page.body, /https?:\/\//, 'no external assets')
  t.notMatch(page.body, new RegExp(opsToken), 'never the token')

  const redirected = await h.app.inject({ method: 'GET', url: '/status', headers: { accept: BROWSER_HTML } })
  t.equal(redirected.statusCode, 302)
  t.equal(redirected.headers.location, '/ops')
  const json = await h.app.inject({ method: 'GET', url: '/status', headers: { accept: 'application/json', authorization: `Bearer ${opsToken}` } })
  t.equal(json.statusCode, 200)
  t.equal(json.json().mode, 'live')
  const anyType = await h.app.inject({ method: 'GET', url: '/status', headers: { accept: '*/*' } })
  t.equal(anyType.statusCode, 401, 'curl gets the JSON route, which still wants the token')
  const docs = await h.app.inject({ method: 'GET', url: '/docs/json' })
  t.ok(docs.json().paths['/ops'].get.responses['200'].content['text/html'], 'in the OpenAPI document as HTML')
})

/** The text of the value with data-k=key, or undefined while it is not rendered. */
const value = async (page: Page, key: string): Promise<string | undefined> =>
  await page.locator(`[data-k="${key}"]`).first().textContent({ timeout: 1000 }).then((s) => s ?? undefined, () => undefined)

async function until (page: Page, key: string, ok: (v: string) => boolean, timeout = 20_000): Promise<string> {
  const deadline = Date.now() + timeout
  for (;;) {
    const v = await value(page, key)
    if (v !== undefined && ok(v)) return v
    if (Date.now() > deadline) throw new Error(`page value ${key} never matched; last saw ${String(v)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

t.test('in a real browser', { skip: noBrowser }, async (t) => {
  mkdirSync(SHOTS, { recursive: true })
  const opsToken = secret()
  const h: Harness = await startHarness(t, { env: { OPS_TOKEN: opsToken } })
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const addr = h.app.server.address()
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
  // launch() gives chromium a fresh temporary profile of its own and removes it on close.
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  t.teardown(async () => await browser.close())
  const problems: string[] = []
  const open = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 })
    const page = await context.newPage()
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`) })
    return page
  }

  t.test('renders the numbers from /status and refreshes itself', async (t) => {
    const page = await open()
    await page.goto(`${base}/ops#token=${encodeURIComponent(opsToken)}`)
    const before = (await h.app.inject({ method: 'GET', url: '/status', headers: { authorization: `Bearer ${opsToken}` } })).json()
    t.equal(await until(page, 'mode', (v) => v.length > 0), before.mode)
    t.equal(await value(page, 'budget.limit'), String(before.enerflo.budget.limit))
    // The start-up credential check spends one read of the budget; the page shows what /status says.
    t.equal(await value(page, 'budget.used'), `${String(before.enerflo.budget.used)} / ${String(before.enerflo.budget.limit)}`)
    t.equal(await value(page, 'queue.waiting'), String(before.queue.waiting))
    t.equal(await value(page, 'queue.completed'), String(before.queue.completed))
    t.equal(await value(page, 'queue.deliveries'), String(before.queue.deliveries), 'stored deliveries not yet fanned out')
    t.equal(await page.getByText('deliveries never fanned out', { exact: true }).count(), 1, 'the failed-for-good count has its words')
    t.equal(await value(page, 'last.success'), 'none yet')
    t.equal(await page.locator('#badge').textContent(), before.status)
    t.notMatch(page.url(), /token/, 'the token left the address bar')
    t.equal(await page.evaluate(() => sessionStorage.length), 1, 'the token is kept for this tab only')

    await page.evaluate(() => { (window as unknown as { notReloaded: boolean }).notReloaded = true })
    const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep' }]) })
    t.equal(res.statusCode, 200)
    t.equal(await until(page, 'last.success', (v) => v !== 'none yet'), 'okta:00urep')
    t.equal(await value(page, 'budget.used'), `${String(before.enerflo.budget.used + 1)} / ${String(before.enerflo.budget.limit)}`)
    t.equal(await value(page, 'queue.completed'), String(before.queue.completed + 1))
    t.ok(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), 'refreshed in place, not reloaded')
    await page.screenshot({ path: `${SHOTS}/okta-live-390.png`, fullPage: true })
    t.same(problems, [], 'no script errors and no CSP violations')
  })

  t.test('data is shown as text, never as markup', async (t) => {
    await h.app.store.recordOutcome('okta:<b>bold</b>', {
      at: new Date().toISOString(), outcome: 'failed', eventIds: [],
      error: { code: 'ENERFLO_REJECTED', message: '<img src=x onerror="window.pwned=1">' }
    })
    const page = await open()
    await page.goto(`${base}/ops#token=${encodeURIComponent(opsToken)}`)
    t.equal(await until(page, 'last.failure', (v) => v !== 'none'), 'okta:<b>bold</b>')
    t.equal(await value(page, 'last.failure.reason'), 'ENERFLO_REJECTED: <img src=x onerror="window.pwned=1">')
    t.equal(await page.locator('img').count(), 0)
    t.notOk(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned))
  })

  t.test('asks for the token, refuses a wrong one, accepts the right one', async (t) => {
    const page = await open()
    await page.goto(`${base}/status`)
    t.equal(new URL(page.url()).pathname, '/ops', 'a browser opening /status lands on the page')
    await page.locator('#login').waitFor({ state: 'visible' })
    t.match(await page.locator('#login-msg').textContent(), /needs its ops token/)
    await page.fill('#token', 'not-the-token-at-all')
    await page.click('#login button')
    await page.locator('#login-msg', { hasText: 'refused' }).waitFor()
    t.ok(await page.locator('#main').isHidden(), 'nothing shown for a wrong token')
    await page.fill('#token', opsToken)
    await page.click('#login button')
    t.equal(await until(page, 'mode', (v) => v.length > 0), 'live')
    t.ok(await page.locator('#login').isHidden())
    await page.click('#forget')
    await page.locator('#login').waitFor({ state: 'visible' })
    t.equal(await page.evaluate(() => sessionStorage.length), 0, 'forgotten')
    // Two 401s above are the point of this test; chromium logs each failed fetch as a console error.
    problems.splice(0, problems.length)
  })

  t.test('says so when the service has no OPS_TOKEN', async (t) => {
    const off = await h.buildAnother({ OPS_TOKEN: '', SERVICE_ROLE: 'api' })
    await off.listen({ port: 0, host: '127.0.0.1' })
    const addr = off.server.address()
    const page = await open()
    await page.goto(`http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}/ops`)
    await page.locator('#login-msg', { hasText: 'Operator routes are off: set OPS_TOKEN on the service.' }).waitFor()
    t.ok(await page.locator('#main').isHidden())
    problems.splice(0, problems.length)
  })

  t.test('is readable on a wide screen too', async (t) => {
    const page = await open()
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.goto(`${base}/ops#token=${encodeURIComponent(opsToken)}`)
    await until(page, 'mode', (v) => v.length > 0)
    await page.screenshot({ path: `${SHOTS}/okta-1280.png`, fullPage: true })
    t.same(problems, [])
  })
})

const launch = async (t: Test): Promise<Browser> => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  t.teardown(async () => await browser.close())
  return browser
}

const baseOf = async (h: Harness): Promise<string> => {
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const addr = h.app.server.address()
  return `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
}

/** The Sources card stays a card and no value there wraps into a column of words. */
async function checkSources (t: Test, page: Page): Promise<void> {
  const card = await page.locator('#sources-card').boundingBox()
  const viewport = page.viewportSize()?.width ?? 0
  t.ok(card !== null && card.width >= Math.min(viewport - 40, 600), `the Sources card is ${String(card?.width)} px wide in a ${viewport} px window`)
  const lineHeight = await page.locator('#sources dd').first().evaluate((e) => parseFloat(getComputedStyle(e).lineHeight))
  const heights = await page.locator('#sources dd').evaluateAll((els) => els.map((e) => [e.textContent, e.getBoundingClientRect().height] as const))
  const tall = heights.filter(([, h]) => h > lineHeight * 2.5)
  t.same(tall, [], 'no value in Sources takes more than two lines')
}

t.test('the page with Okta alone, Entra alone and both', { skip: noBrowser }, async (t) => {
  mkdirSync(SHOTS, { recursive: true })
  const browser = await launch(t)
  const seen = new WeakMap<Page, string[]>()
  const noProblems = (t: Test, page: Page): void => { t.same(seen.get(page), [], 'no script errors or CSP violations') }
  const look = async (base: string, token: string, width: number): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width, height: 900 } })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (err) => problems.push(err.message))
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()) })
    seen.set(page, problems)
    await page.goto(`${base}/ops#token=${encodeURIComponent(token)}`)
    await until(page, 'mode', (v) => v.length > 0)
    return page
  }

  t.test('Okta alone: failures by reason with their fix, and a retry after a 503', async (t) => {
    const h = await startHarness(t, { env: { WORKER_CONCURRENCY: '1', JOB_BACKOFF_MS: '600000' } })
    const base = await baseOf(h)
    const deliver = async (userId: string): Promise<void> => {
      await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId }]) })
    }
    const status = async (): Promise<{ failures: { total: number }, retrying: { total: number } }> => (await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).json()
    h.enerflo.inject({ kind: 'status', status: 401, count: 1 })
    await deliver('00urep')
    await waitFor('the failure', status, (s) => s.failures.total === 1)
    h.enerflo.inject({ kind: 'status', status: 503, count: 1 })
    await deliver('00uboss')
    await waitFor('the retry', status, (s) => s.retrying.total === 1)
    const token = h.config.OPS_TOKEN ?? ''
    const page = await look(base, token, 390)
    t.match(await until(page, 'failure.enerflo-api-key', (v) => v.length > 0), /^Enerflo refused the API key — 1 user$/)
    const fix = await value(page, 'failure.enerflo-api-key.fix')
    t.match(fix, /fix ENERFLO_API_KEY/)
    t.match(fix, /node dist\/src\/cli\.js retry [0-9a-z]+-[0-9a-f]{8}-[0-9a-z]+$/, 'the exact command')
    t.match(await value(page, 'failure.enerflo-api-key.user'), /^Rey Pep okta:00urep · (just now|.* ago) · Enerflo refused the API key \(HTTP 401\)/, 'who, when, Enerflo\'s words')
    t.match(await value(page, 'retrying.job'), /^Bo Ss okta:00uboss · attempt 2 of \d+ · next try (in \d+ (s|min)|just now) · .*last error: Enerflo failed on its side \(HTTP 503\)/)
    t.notOk(await page.locator('#sync-mode').isVisible(), 'live mode: no shadow badge')
    t.same(await page.locator('#sources p.muted').allTextContents(), ['graph: off', 'scim: off'], 'the sources not configured say off')
    await checkSources(t, page)
    await page.screenshot({ path: `${SHOTS}/okta-alone-390.png`, fullPage: true })
    noProblems(t, page)
  })

  t.test('Entra alone, in shadow mode: the header says so, the expiry reads "in 29 d"', async (t) => {
    const h = await startGraphHarness(t, { env: { OKTA_ORG_URL: '', OKTA_API_TOKEN: '', OKTA_WEBHOOK_SECRET: '', SYNC_MODE: 'shadow' } })
    await h.app.graph.state.save({ id: 'sub-1', expiresAt: new Date(Date.now() + 29 * 86_400_000).toISOString(), lastRenewalAt: new Date().toISOString() })
    const page = await look(await baseOf(h), h.config.OPS_TOKEN ?? '', 390)
    await page.locator('#sync-mode').waitFor({ state: 'visible' })
    t.equal(await page.locator('#sync-mode').textContent(), 'shadow: nothing is written to Enerflo')
    t.match(await page.title(), /^shadow · /)
    t.match(await until(page, 'graph.subscription.expiresAt', (v) => v.startsWith('in ')), /^in 29 d · /)
    t.match(await value(page, 'graph.subscription.lastRenewalAt'), /^(just now|\d+ s ago) · /)
    t.same(await page.locator('#sources p.muted').allTextContents(), ['okta: off', 'scim: off'], 'the sources not configured say off')
    await checkSources(t, page)
    await page.screenshot({ path: `${SHOTS}/entra-alone-390.png`, fullPage: true })
    noProblems(t, page)
  })

  t.test('both sources, narrow and wide', async (t) => {
    const h = await startGraphHarness(t)
    await h.app.graph.state.save({ id: 'sub-2', expiresAt: new Date(Date.now() + 29 * 86_400_000).toISOString(), lastRenewalAt: new Date().toISOString() })
    const base = await baseOf(h)
    for (const width of [390, 1280]) {
      const page = await look(base, h.config.OPS_TOKEN ?? '', width)
      await until(page, 'graph.subscription.expiresAt', (v) => v.startsWith('in '))
      t.equal(await page.locator('#sources [data-source]').count(), 2, 'okta and graph')
      await checkSources(t, page)
      await page.screenshot({ path: `${SHOTS}/both-${width}.png`, fullPage: true })
      noProblems(t, page)
    }
  })
})
