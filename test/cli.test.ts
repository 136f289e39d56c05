import t from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../src/cli/main.js'
import { renderStatus } from '../src/cli/status.js'
import { startHarness, delivery, secret, type Harness } from './helpers/harness.js'
import { freePort } from './helpers/redis.js'
import { waitFor } from './helpers/wait.js'
import { fannedOut } from './helpers/deliveries.js'

interface Run { code: number, out: string, err: string }

async function cli (argv: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  let out = ''
  let err = ''
  const code = await main(argv, { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } }, env })
  return { code, out, err }
}

const baseOf = (h: Harness): string => {
  const addr = h.app.server.address()
  return `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
}

async function send (h: Harness, type: string, userId: string): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type, userId }]) })
  if (res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}`)
}

const settled = async (h: Harness): Promise<void> => {
  await fannedOut(h.app)
  await waitFor('queue to settle', async () => await h.app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), (c) => Object.values(c).every((n) => n === 0))
}

t.test('usage', async (t) => {
  const none = await cli([])
  t.equal(none.code, 2, 'no command is a usage error')
  t.match(none.err, /usage: enerflo-user-sync <command>/)
  const help = await cli(['--help'])
  t.equal(help.code, 0)
  t.match(help.out, /import-links/)
  t.match(help.out, /Exit codes: 0 done, 1 error/)
  for (const c of ['status', 'failed', 'retry', 'discard', 'unresolved', 'link', 'unlink', 'import-links', 'user', 'preview', 'serve']) {
    const r = await cli([c, '--help'])
    t.equal(r.code, 0, `${c} --help`)
    t.match(r.out, new RegExp(`^usage: enerflo-user-sync ${c}`))
  }
  t.match((await cli(['help', 'retry'])).out, /--dry-run/)
  t.notMatch((await cli(['serve', '--help'])).out, /--token/, 'serve talks to no service')
  const cases: Array<[string[], RegExp]> = [
    [['bogus'], /unknown command "bogus"/],
    [['status', '--bogus'], /Unknown option '--bogus'/],
    [['status', '--url', 'ftp://x'], /--url must be http or https/],
    [['status', '--url', 'not a url'], /--url must be an http\(s\) URL/],
    [['link', 'okta', '00u1'], /missing <enerfloUserId>/],
    [['link', 'okta', '00u1', 'abc'], /<enerfloUserId> must be a whole number ≥ 1/],
    [['unlink', 'okta', '00u1', 'extra'], /unexpected extra/],
    [['retry'], /name job ids or a filter .* or pass --all/],
    [['failed', '--since', 'yesterday'], /--since must be an ISO time .* or an age/],
    [['failed', '--limit', '0'], /--limit must be a whole number ≥ 1/],
    [['import-links'], /missing <file>/]
  ]
  for (const [argv, message] of cases) {
    const r = await cli(argv, { ENERFLO_SYNC_URL: 'http://127.0.0.1:9' })
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.err, message)
    t.match(r.err, /see: enerflo-user-sync .*--help/)
  }
})

t.test('against a running service', async (t) => {
  const opsToken = secret()
  const h = await startHarness(t, { env: { OPS_TOKEN: opsToken, JOB_BACKOFF_MS: '50' } })
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const env = { ENERFLO_SYNC_URL: baseOf(h), OPS_TOKEN: opsToken }
  const run = async (...argv: string[]): Promise<Run> => await cli(argv, env)

  t.test('status, from the environment and from flags', async (t) => {
    const human = await run('status')
    t.equal(human.code, 0, human.err)
    t.match(human.out, /^(OK|DEGRADED) {2}\(live, role all/)
    // The start-up credential check spends one read (the harness waits for it).
    t.match(human.out, /budget +1\/300 used in 1m · 299 remaining · not paused/)
    t.match(human.out, /last success +none yet/)
    const json = await cli(['status', '--json', '--url', baseOf(h), `--token=${opsToken}`])
    t.equal(json.code, 0, json.err)
    t.equal(JSON.parse(json.out).mode, 'live')
    // A token may start with a dash (base64url does, one time in 64): --token=VALUE always reads it.
    const dashed = await cli(['status', '--json', '--url', baseOf(h), '--token=-not-an-option'])
    t.equal(dashed.err, 'enerflo-user-sync: wrong or missing ops token (--token or OPS_TOKEN)\n', 'a dash-led token is sent as a token, not read as an option')
    const wrong = await cli(['status'], { ENERFLO_SYNC_URL: baseOf(h), OPS_TOKEN: secret() })
    t.equal(wrong.code, 1)
    t.equal(wrong.err, 'enerflo-user-sync: wrong or missing ops token (--token or OPS_TOKEN)\n')
    t.equal((await cli(['status'], { ENERFLO_SYNC_URL: baseOf(h) })).code, 1, 'no token at all')
  })

  t.test('unresolved, preview, link, user, unlink', async (t) => {
    await send(h, 'user.lifecycle.create', '00unolink')
    await settled(h)
    const list = await run('unresolved')
    t.equal(list.code, 0, list.err)
    t.match(list.out, /USER +SOURCE +IDP USER ID +SINCE\nokta:00unolink +okta +00unolink/)
    t.equal(JSON.parse((await run('unresolved', '--json')).out).total, 1)

    const putsBefore = h.enerflo.requests().length
    const parked = await run('preview', 'okta', '00unolink')
    t.equal(parked.code, 0, parked.err)
    t.match(parked.out, /okta:00unolink → no Enerflo user \(unresolved\)\n\nnothing to send: /)
    const preview = await run('preview', 'okta', '00urep')
    t.match(preview.out, /okta:00urep → Enerflo user 502\n\nwould send PUT \/api\/v3\/users:\n {2}id +502\n/)
    t.match(preview.out, /first_name +Rey/)
    t.equal(h.enerflo.requests().length, putsBefore, 'a preview calls nothing')

    const link = await run('link', 'okta', '00unolink', '504')
    t.equal(link.code, 0, link.err)
    t.equal(link.out, 'linked okta:00unolink → Enerflo user 504; queued to sync now\n')
    await waitFor('the linked user to sync', () => h.enerflo.requests().filter((r) => r.userId === 504).length, (n) => n === 1)
    await settled(h)

    const user = await run('user', 'okta', '00unolink')
    t.equal(user.code, 0, user.err)
    t.match(user.out, /okta:00unolink → Enerflo user 504/)
    t.match(user.out, /email +n\*\*\*@example\.com/, 'masked')
    t.match(user.out, /applied +200/)
    t.match((await run('user', 'okta', '00unolink', '--reveal')).out, /email +new@example\.com/)
    const unknown = await run('user', 'okta', '00unobody')
    t.equal(unknown.code, 1)
    t.match(unknown.err, /not found: nothing is known about okta:00unobody/)

    const unlink = await run('unlink', 'okta', '00unolink')
    t.equal(unlink.code, 0, unlink.err)
    t.equal(unlink.out, 'removed the link of okta:00unolink\n')
    t.equal((await h.app.store.get('okta:00unolink')).enerfloId, undefined)
  })

  t.test('import-links from CSV and JSON', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-links-'))
    writeFileSync(join(dir, 'links.csv'), 'source,idp_user_id,enerflo_user_id\nokta,00unolink,504\nokta,00ubad,abc\n')
    const dry = await run('import-links', join(dir, 'links.csv'), '--dry-run')
    t.match(dry.out, /^dry run, nothing stored: would link 1 user, 0 already linked, would reject 1 row\n/)
    t.match(dry.out, /ROW +ACTION +USER +ENERFLO +REASON\n1 +link +okta:00unolink +504/)
    t.equal((await h.app.store.get('okta:00unolink')).enerfloId, undefined, 'a dry run stores nothing')
    const csv = await run('import-links', join(dir, 'links.csv'))
    t.equal(csv.code, 1, 'a rejected row is exit code 1')
    t.match(csv.out, /^accepted 1 link, queued 1 user, 0 already linked, rejected 1 row\n/)
    t.match(csv.out, /ROW +REASON\n2 +Enerflo user id must be a positive integer/)
    t.equal((await h.app.store.get('okta:00unolink')).enerfloId, 504)
    writeFileSync(join(dir, 'links'), JSON.stringify([{ source: 'okta', idpUserId: '00unolink', enerfloUserId: 504 }]))
    const json = await run('import-links', join(dir, 'links'), '--json')
    t.equal(json.code, 0, json.err)
    t.match(JSON.parse(json.out), { dryRun: false, accepted: 0, queued: 0, rejected: [], rows: [{ row: 1, action: 'unchanged' }] }, 'a file without extension is sniffed as JSON (and the link is already there)')
    const missing = await run('import-links', join(dir, 'nope.csv'))
    t.equal(missing.code, 1)
    t.match(missing.err, /cannot read .*nope\.csv: ENOENT/)
    await settled(h)
  })

  t.test('failed, retry, discard', async (t) => {
    // The setter takes the email Enerflo user 504 holds: Enerflo refuses.
    h.directory.updateProfile('00usetter', { email: 'new@example.com' })
    await send(h, 'user.account.update_profile', '00usetter')
    await waitFor('the job to fail', async () => await h.app.syncQueue.getFailedCount(), (n) => n === 1)
    const failed = await run('failed')
    t.equal(failed.code, 0, failed.err)
    t.match(failed.out, /JOB +USER +CODE +FAILED +ATTEMPTS +REASON\n\S+ +okta:00usetter +ENERFLO_REJECTED .*already taken/)
    const page = JSON.parse((await run('failed', '--code', 'enerflo_rejected', '--since', '1h', '--json')).out)
    t.equal(page.total, 1, 'filters reach the service (code upper-cased, age turned into a time)')
    const jobId: string = page.jobs[0].jobId
    t.equal(JSON.parse((await run('failed', '--source', 'graph', '--json')).out).total, 0)

    const dry = await run('retry', '--code', 'ENERFLO_REJECTED', '--dry-run')
    // A dry run says who, not bare job ids: the job, the user, the code and the reason.
    t.match(dry.out, new RegExp(`^would retry 1 job \\(dry run: nothing changed\\):\\n\\s*JOB +USER +CODE +REASON\\n\\s*${jobId} +okta:00usetter +ENERFLO_REJECTED +\\S`))
    t.match((await run('discard', jobId, '--dry-run')).out, new RegExp(`^would discard 1 job \\(dry run: nothing changed\\):\\n\\s*JOB +USER +CODE +REASON\\n\\s*${jobId} +okta:00usetter`))
    t.equal(await h.app.syncQueue.getFailedCount(), 1, 'dry runs changed nothing')

    // Fixed at the source: an email of its own. The retried job reads the user as it is now.
    h.directory.updateProfile('00usetter', { email: 'setter.own@example.com' })
    t.equal((await run('retry', jobId)).out, `retried 1 job:\n  ${jobId}\n`)
    await settled(h)
    t.equal(await h.app.syncQueue.getFailedCount(), 0)
    t.equal(h.enerflo.user(503)?.email, 'setter.own@example.com')
    t.equal((await run('retry', '--all')).out, 'no failed job matched\n')

    h.directory.updateProfile('00usetter', { email: 'new@example.com' })
    await send(h, 'user.account.update_profile', '00usetter')
    await waitFor('the job to fail again', async () => await h.app.syncQueue.getFailedCount(), (n) => n === 1)
    const discarded = await run('discard', '--all', '--json')
    t.match(JSON.parse(discarded.out), { dryRun: false, matched: 1 })
    t.equal(await h.app.syncQueue.getFailedCount(), 0)
    t.equal((await run('failed')).out, 'no failed jobs\n')
  })
})

/** A stand-in service: answers each request with what `answer` says and records what it got. */
async function fake (t: { teardown: (fn: () => unknown) => void }, answer: (req: IncomingMessage, body: string) => [number, unknown, string?]) {
  const seen: Array<{ method: string, url: string, headers: IncomingMessage['headers'], body: string }> = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      const [status, payload, type] = answer(req, body)
      res.writeHead(status, { 'content-type': type ?? 'application/json' })
      res.end(typeof payload === 'string' ? payload : payload === undefined ? '' : JSON.stringify(payload))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => { await new Promise((resolve) => server.close(resolve)) })
  const addr = server.address()
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`, seen }
}

t.test('errors an operator can act on', async (t) => {
  const port = await freePort()
  const refused = await cli(['status', '--url', `http://127.0.0.1:${port}`])
  t.equal(refused.code, 1)
  t.equal(refused.err, `enerflo-user-sync: no service at http://127.0.0.1:${port}: is it running? (another address: --url <url> or ENERFLO_SYNC_URL)\n`)

  const off = await fake(t, (req) => req.url?.startsWith('/ops/unresolved') === true
    ? [404, { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: 'no route GET /ops/unresolved' }]
    : [404, { statusCode: 404, code: 'OPS_OFF', error: 'Not Found', message: 'operator routes are off: set OPS_TOKEN on the service to use them' }])
  const r404 = await cli(['failed', '--url', off.url, '--token', 'x'])
  t.equal(r404.code, 1)
  t.equal(r404.err, 'enerflo-user-sync: operator routes are off: set OPS_TOKEN on the service\n')
  t.match((await cli(['unresolved', '--url', off.url])).err, /operator routes are off: set OPS_TOKEN on the service \(it has no GET \/ops\/unresolved; if OPS_TOKEN is set, the service is older than this CLI\)/)

  const denied = await fake(t, () => [401, { statusCode: 401, code: 'OPS_AUTH', error: 'Unauthorized', message: 'send Authorization: Bearer <OPS_TOKEN>' }])
  t.match((await cli(['unresolved', '--url', denied.url, '--token', 'nope'])).err, /wrong or missing ops token \(--token or OPS_TOKEN\)/)
  t.equal(denied.seen[0]?.headers.authorization, 'Bearer nope')
  t.equal(denied.seen[0]?.headers.accept, 'application/json', 'never mistaken for a browser')

  const broken = await fake(t, (req) => req.url === '/status'
    ? [200, '<html>not us</html>', 'text/html']
    : req.url === '/ops/unresolved'
      ? [503, { statusCode: 503, code: 'QUEUE_UNAVAILABLE', error: 'Service Unavailable', message: 'the queue (Redis) is unavailable' }]
      : [500, { statusCode: 500, code: 'INTERNAL', error: 'Internal Server Error', message: 'internal error' }])
  t.match((await cli(['status', '--url', broken.url])).err, /unexpected answer from .*\/status: 200 text\/html .*is this enerflo-user-sync\?/)
  t.match((await cli(['unresolved', '--url', broken.url])).err, /the service is unavailable: the queue \(Redis\) is unavailable/)
  t.match((await cli(['failed', '--url', broken.url])).err, /the service answered 500 INTERNAL: internal error/)
})

t.test('what is sent and shown, per the route contracts', async (t) => {
  const svc = await fake(t, (req) => {
    if (req.url?.startsWith('/ops/failed/')) return [200, { dryRun: false, matched: 0, jobIds: [] }]
    if (req.url?.startsWith('/ops/unresolved')) return [200, { total: 3, users: [{ userKey: 'okta:\u001b[2Jevil', source: 'okta', userId: '\u001b[2Jevil', since: new Date().toISOString() }] }]
    return [200, {
      status: 'degraded', reasons: ['one'], mode: 'sandbox', role: 'all', version: '1.2.3', uptimeSeconds: 3700, drainEtaSeconds: 0, somethingNew: { x: 1 },
      redis: { reachable: true, latencyMs: 0.42, maxmemoryPolicy: 'noeviction', aof: true, persistence: 'aof', version: '7.2' },
      queue: { waiting: 0, active: 0, failed: 0, oldestWaitingAgeMs: null },
      enerflo: { budget: { limit: 300, windowMs: 60000, used: 3, remaining: 297, pausedUntil: null }, lastSuccess: null, lastFailure: { at: new Date().toISOString(), userKey: 'okta:x', code: 'ENERFLO_REJECTED', message: 'email taken' } },
      sources: { okta: { configured: true, lastEventAt: null, counts: { deliveries: 2 }, rejected: { 'bad-secret': 4 } } },
      unresolved: { count: 0, users: [] }
    }]
  })
  const status = await cli(['status', '--url', `${svc.url}/`])
  t.equal(status.code, 0, status.err)
  t.match(status.out, /^DEGRADED {2}\(sandbox, role all, version 1\.2\.3, up 1h 1m\)\n {2}- one\n/)
  t.match(status.out, /drain ETA +nothing waiting/)
  t.match(status.out, /last failure +okta:x at .* · ENERFLO_REJECTED: email taken/)
  t.match(status.out, /okta +last event - · deliveries 2 · rejected: bad-secret 4/)
  t.match(status.out, /redis +reachable · 0\.4 ms · noeviction · AOF on · persistence aof · 7\.2/)
  t.equal(svc.seen[0]?.url, '/status', 'a trailing slash on --url is not doubled')

  const evil = await cli(['unresolved', '--url', svc.url, '--offset', '0', '--limit', '1'])
  t.notOk(evil.out.includes('\u001b'), 'no terminal escapes reach the terminal')
  t.match(evil.out, /okta:\\x1b\[2Jevil/)
  t.match(evil.out, /1 of 3; next page: --offset 1/)
  t.equal(svc.seen.at(-1)?.url, '/ops/unresolved?offset=0&limit=1')

  await cli(['retry', 'a', 'b', '--source', 'okta', '--url', svc.url])
  t.same(JSON.parse(svc.seen.at(-1)?.body ?? ''), { jobIds: ['a', 'b'], source: 'okta', dryRun: false })
  const before = Date.now()
  await cli(['discard', '--all', '--dry-run', '--url', svc.url])
  t.same(JSON.parse(svc.seen.at(-1)?.body ?? ''), { since: '1970-01-01T00:00:00.000Z', dryRun: true }, '--all is "since the epoch"')
  await cli(['discard', '--until', '2h', '--url', svc.url])
  const until = Date.parse(JSON.parse(svc.seen.at(-1)?.body ?? '{}').until as string)
  t.ok(Math.abs(before - 2 * 3_600_000 - until) < 60_000, 'an age is that long before now')

  t.equal(renderStatus({ status: 'down', reasons: [], redis: { reachable: false } }).split('\n')[0], 'DOWN  ()', 'a reply with Redis down prints what it has')
})
