/**
 * The status page's Follow-ups card in a real browser (Debian's chromium): none, then the user
 * whose Project Manager role was removed, with the recipe and the commands, drawn as needing a
 * person; none again once marked done; unknown with Redis down; no script errors or CSP violations.
 * Screenshot: .tap/screenshots/state-follow-ups.png.
 */
import t from 'tap'
import { existsSync, mkdirSync } from 'node:fs'
import { chromium, type Page } from 'playwright-core'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import { GROUPS, MAPPING, enerfloUsers, oktaUsers } from '../helpers/fixtures.js'

const CHROMIUM = '/usr/bin/chromium'
const IN_CI = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase())
const noBrowser = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM}: install Debian's chromium`
if (noBrowser !== false && IN_CI) t.fail(`CI=${String(process.env.CI)} but ${noBrowser}`)
const SHOTS = '.tap/screenshots'

const value = async (page: Page, key: string): Promise<string | undefined> =>
  await page.locator(`[data-k="${key}"]`).first().textContent({ timeout: 1000 }).then((s) => s ?? undefined, () => undefined)

async function send (h: Harness): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'group.user_membership.remove', userId: '00upm', extraTargets: true }]) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}`)
}

t.test('the card says none, then names the user and the recipe, then none once done', { skip: noBrowser }, async (t) => {
  const h = await startHarness(t, {
    mapping: { ...MAPPING, roles: [...MAPPING.roles, { group: 'Project Managers', roles: ['Project Manager'] }] },
    groups: [...GROUPS, { id: '00gpm', name: 'Project Managers' }],
    oktaUsers: [...oktaUsers(), { id: '00upm', status: 'ACTIVE', groups: ['00greps', '00gpm', '00gphx'], profile: { login: 'pm@example.com', email: 'pm@example.com', firstName: 'Pat', lastName: 'Emm', enerfloUserId: '505' } }],
    enerfloUsers: [...enerfloUsers(), { id: 505, first_name: 'Pat', last_name: 'Emm', email: 'pm@example.com', active: true, roles: ['Project Manager', 'Sales Rep'], office_ids: [101], surveys: 0, appointments: 0 }]
  })
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
  await page.locator('#follow-ups p').first().waitFor({ timeout: 20_000 })
  t.match(await page.locator('#follow-ups').textContent(), /none: nothing Enerflo asks of a person/)

  await send(h)
  await waitFor('the first sync', async () => (await h.app.store.auditTrail('okta:00upm')).length, (n) => n === 1)
  h.directory.removeFromGroup('00upm', '00gpm')
  await send(h)
  await waitFor('the card to show it', async () => await value(page, 'followUps.open') ?? '', (v) => v.startsWith('1 follow-up waits'), 20_000)
  const { followUps: [f] } = await h.app.followUps.store.list()
  t.match(await value(page, 'followUps.item'), new RegExp(`^${f?.id ?? 'x'} okta:00upm \\(Enerflo 505, Pat Emm\\): Project Manager removed .* · recipe "Delete project contacts using customer id"$`))
  t.match(await value(page, 'followUps.fix'), /enerflo-user-sync follow-ups; when done: enerflo-user-sync follow-ups done <id>/)
  t.equal(await page.locator('#follow-ups-card.alert').count(), 1, 'drawn as needing a person')
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: `${SHOTS}/state-follow-ups.png`, fullPage: true })

  t.equal((await h.app.inject({ method: 'POST', url: `/ops/follow-ups/${f?.id ?? ''}/done`, headers: h.ops })).statusCode, 200)
  await waitFor('the card to say none', async () => await page.locator('#follow-ups').textContent() ?? '', (v) => v.startsWith('none'), 20_000)
  t.equal(await page.locator('#follow-ups-card.alert').count(), 0)

  await h.redis.stop()
  await waitFor('the card to say unknown', async () => await page.locator('#follow-ups').textContent() ?? '', (v) => v === 'unknown', 20_000)
  t.same(problems.filter((p) => !/Failed to load resource|503/.test(p)), [], 'no script errors or CSP violations')
})
