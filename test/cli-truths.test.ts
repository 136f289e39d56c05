/**
 * Issue 15 item 7: each CLI command says what is true. The launcher's --help and a closed pipe run
 * the real process; the rest runs main() against a real app on a port.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../src/cli/main.js'
import { startHarness, delivery, secret } from './helpers/harness.js'
import { waitFor } from './helpers/wait.js'
import { fannedOut } from './helpers/deliveries.js'

interface Run { code: number, out: string, err: string }

async function cli (argv: string[], env: Record<string, string | undefined>): Promise<Run> {
  let out = ''
  let err = ''
  const code = await main(argv, { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } }, env })
  return { code, out, err }
}

/** The real launcher in a shell, so `| true` closes the pipe the way `| head` does. */
async function shell (script: string): Promise<Run> {
  return await new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -o pipefail; ${script}`], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => { out += c.toString() })
    child.stderr.on('data', (c: Buffer) => { err += c.toString() })
    child.on('error', reject)
    child.on('close', (code) => { resolve({ code: code ?? -1, out, err }) })
  })
}

const CLI = 'node --import tsx src/cli.ts'

t.test('the process: --help first is the CLI\'s help; a closed pipe is a quiet 0', async (t) => {
  const help = await shell(`${CLI} --help`)
  t.equal(help.code, 0, help.err)
  t.match(help.out, /^usage: enerflo-user-sync <command>/, 'not node\'s or the launcher\'s help')
  t.match(help.out, /\n {2}serve +Start the service itself/)
  const piped = await shell(`${CLI} --help | true`)
  t.equal(piped.code, 0, 'exit 0 when the reader went away')
  t.notMatch(piped.err, /EPIPE|Error|at /, 'no stack trace')
})

t.test('against a running service', async (t) => {
  const opsToken = secret()
  const h = await startHarness(t, { env: { OPS_TOKEN: opsToken, JOB_BACKOFF_MS: '50' } })
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const addr = h.app.server.address()
  const env = { ENERFLO_SYNC_URL: `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`, OPS_TOKEN: opsToken }
  const run = async (...argv: string[]): Promise<Run> => await cli(argv, env)
  const settled = async (): Promise<void> => {
    await fannedOut(h.app)
    await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), (c) => Object.values(c).every((n) => n === 0))
  }

  t.test('link says when the identity attribute wins; unlink says when there is nothing', async (t) => {
    const plain = await run('link', 'okta', '00unolink', '504')
    t.equal(plain.code, 0, plain.err)
    t.equal(plain.out, 'linked okta:00unolink → Enerflo user 504; queued to sync now\n')

    // 00urep's profile attribute names Enerflo user 502.
    const overridden = await run('link', 'okta', '00urep', '505')
    t.equal(overridden.code, 1, 'the link does not do what was asked')
    t.match(overridden.out, /^stored the link okta:00urep → Enerflo user 505, but it does not apply: the provider's identity attribute names Enerflo user 502, and the attribute wins/)
    t.match(overridden.out, /Correct or clear the attribute at okta/)
    t.match(JSON.parse((await run('link', 'okta', '00urep', '505', '--json')).out), { userKey: 'okta:00urep', attributeEnerfloUserId: 502 })
    t.equal(JSON.parse((await run('link', 'okta', '00unolink', '504', '--json')).out).attributeEnerfloUserId, null)

    t.equal((await run('unlink', 'okta', '00urep')).code, 0)
    const again = await run('unlink', 'okta', '00urep')
    t.equal(again.code, 1)
    t.equal(again.out, '', 'never "removed"')
    t.equal(again.err, 'enerflo-user-sync: okta:00urep has no stored link: nothing removed\n')
    await settled()
  })

  t.test('import-links prints every rejected row with its reason', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-truths-'))
    // 504 belongs to okta:00unolink (linked above): a row pointing 00usetter at it is refused.
    writeFileSync(join(dir, 'links.csv'), 'source,idp_user_id,enerflo_user_id\nokta,00usetter,504\nokta,00unobody,506\n')
    const dry = await run('import-links', join(dir, 'links.csv'), '--dry-run')
    t.equal(dry.code, 1)
    t.match(dry.out, /\n1 +rejected +okta:00usetter +504 +Enerflo user 504 is already linked to okta:00unolink/)
    t.match(dry.out, /\n2 +rejected +okta:00unobody +506 +okta does not know user 00unobody/)
    const live = await run('import-links', join(dir, 'links.csv'))
    t.equal(live.code, 1)
    t.match(live.out, /ROW +REASON\n1 +Enerflo user 504 is already linked to okta:00unolink.*\n2 +okta does not know user 00unobody/)
    t.equal((await h.app.store.get('okta:00usetter')).enerfloId, undefined)
  })

  t.test('retry --dry-run lists who and why, not bare job ids', async (t) => {
    // The setter takes the email Enerflo user 504 holds: a permanent refusal.
    h.directory.updateProfile('00usetter', { email: 'new@example.com' })
    const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: '00usetter' }]) })
    t.equal(res.statusCode, 200)
    await waitFor('the job to fail', async () => await h.app.syncQueue.getFailedCount(), (n) => n === 1)
    const [job] = await h.app.syncQueue.getFailed()
    const dry = await run('retry', '--code', 'ENERFLO_REJECTED', '--dry-run')
    t.equal(dry.code, 0, dry.err)
    t.match(dry.out, new RegExp(`^would retry 1 job \\(dry run: nothing changed\\):\\n {2}JOB +USER +CODE +REASON\\n {2}${job?.id ?? 'x'} +okta:00usetter +ENERFLO_REJECTED +.*already taken`))
    t.match((await run('discard', String(job?.id), '--dry-run')).out, /okta:00usetter +ENERFLO_REJECTED/, 'by job id too')
    t.equal(await h.app.syncQueue.getFailedCount(), 1, 'dry runs changed nothing')
  })
})
