/**
 * The status page's Blocked-role-removals card in a real browser (Debian's chromium): none, then
 * the setter whose Setter removal Enerflo refuses for attributed leads, with the next try and the
 * fix, without script errors or CSP violations. Screenshot: .tap/screenshots/state-blocked.png.
 */
import t from 'tap'
import { existsSync, mkdirSync } from 'node:fs'
import { chromium, type Page } from 'playwright-core'
import { startHarness, delivery } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'

const CHROMIUM = '/usr/bin/chromium'
const IN_CI = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase())
const noBrowser = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM}: install Debian's chromium`
if (noBrowser !== false && IN_CI) t.fail(`CI=${String(process.env.CI)} but ${noBrowser}`)
const SHOTS = '.tap/screenshots'

const value = async (page: Page, key: string): Promise<string | undefined> =>
  await page.locator(`[data-k="${key}"]`).first().textContent({ timeout: 1000 }).then((s) => s ?? undefined, () => undefined)

t.test('the card says none, then names the user, the role, the next try and the fix', { skip: noBrowser }, async (t) => {
  const h = await startHarness(t, { env: { BLOCKED_RETRY_MS: '3600000' } })
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const addr = h.app.server.address()
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  t.teardown(async () => await browser.close())
  const page = await (await browser.newContext({ viewport: { width: 1024, height: 900 } })).newPage()
  const problems: string[] = []
  page.on('pageerror', (err) => problems.push(err.message))
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()) })
  await page.goto(`${base}/ops#token=${encodeURIComponent(h.config.OPS_TOKEN ?? '')}`)
  await page.locator('#blocked p').first().waitFor({ timeout: 20_000 })
  t.match(await page.locator('#blocked').textContent(), /none: Enerflo refuses no role removal/)

  h.directory.removeFromGroup('00usetter', '00gsetters')
  h.directory.addToGroup('00usetter', '00greps')
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'group.user_membership.remove', userId: '00usetter' }]) })
  t.equal(res.statusCode, 200)
  await waitFor('the card to show it', async () => await value(page, 'blocked.count') ?? '', (v) => v.startsWith('1 user keeps'), 20_000)
  t.match(await value(page, 'blocked.user'), /okta:00usetter \(Enerflo 503\): Setter · next try /)
  t.match(await value(page, 'blocked.fix'), /Reassign their surveys and appointments in Enerflo; .*enerflo-user-sync blocked --retry/)
  t.ok(await page.locator('#blocked-card.alert').count() === 1, 'drawn as needing a person')
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: `${SHOTS}/state-blocked.png`, fullPage: true })

  await h.redis.stop()
  await waitFor('the card to say unknown', async () => await page.locator('#blocked').textContent() ?? '', (v) => v === 'unknown', 20_000)
  t.equal(await page.locator('#blocked-card.alert').count(), 0, 'unknown is not drawn as an alert')
  t.same(problems.filter((p) => !/Failed to load resource|503/.test(p)), [], 'no script errors or CSP violations')
})
