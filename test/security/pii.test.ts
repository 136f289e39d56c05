/**
 * No secret, token, email address or phone number in the logs, and no personal data in job data.
 * A whole realistic run (Okta and Graph deliveries, the Graph subscription and a lifecycle event,
 * retries, a permanent Enerflo 4xx whose message quotes addresses, an unresolved user, operator
 * routes with ?reveal=true, previews, wrong secrets, a request the HTTP parser refuses) goes
 * through an app logging at trace into a captured stream; every line is then searched for every
 * generated secret and every form of every person's address and number. Afterwards Redis is
 * scanned: every BullMQ job hash's `data` holds ids and timestamps only.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import type { Redis } from 'ioredis'
import { buildApp } from '../../src/app.js'
import { loggerOptions } from '../../src/log.js'
import { startGraphHarness, GRAPH_MAPPING, changeItem, lifecycleItem } from '../helpers/graph-harness.js'
import { delivery, mappingOf } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import { makePeople, type People } from './pii-people.js'
import { rawSend } from './raw-http.js'
import { fannedOut } from '../helpers/deliveries.js'

const json = { 'content-type': 'application/json' }

/** Byte arrays (a Buffer serialised as numbers, or as {0: …, 1: …}) decoded, so they are searched too. */
function decodedBytes (value: unknown, out: string[]): void {
  if (Array.isArray(value)) {
    if (value.length >= 8 && value.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) out.push(Buffer.from(value as number[]).toString('latin1'))
    else for (const v of value) decodedBytes(v, out)
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
    if (entries.length >= 8 && entries.every(([k, v]) => /^\d+$/.test(k) && Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255)) {
      out.push(Buffer.from(entries.map(([, v]) => v as number)).toString('latin1'))
    } else for (const [, v] of entries) decodedBytes(v, out)
  }
}

/** A phone's ten digits with up to two separators between any two of them (spaces, dots, dashes, brackets). */
const phonePattern = (d: string): RegExp => new RegExp([...d].join('[^0-9]{0,2}'))

async function jobHashes (redis: Redis, prefix: string): Promise<Array<{ key: string, data: string, failedReason: string | null }>> {
  const out: Array<{ key: string, data: string, failedReason: string | null }> = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    cursor = next
    for (const key of keys) {
      if (await redis.type(key) !== 'hash') continue
      const [data, name, failedReason] = await redis.hmget(key, 'data', 'name', 'failedReason')
      if (typeof data === 'string' && typeof name === 'string') out.push({ key, data, failedReason: failedReason ?? null })
    }
  } while (cursor !== '0')
  return out
}

t.test('no secret, token, email or phone number in any log line or job data', async (t) => {
  const people: People = makePeople()
  const h = await startGraphHarness(t, {
    role: 'api', oktaUsers: people.okta, graphUsers: people.graph, enerfloUsers: people.enerflo,
    env: { JOB_BACKOFF_MS: '20', GRAPH_SUBSCRIPTION_CHECK_MS: '1000' }
  })
  const lines: string[] = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) { lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== '')); done() }
  })
  const config = { ...h.config, SERVICE_ROLE: 'all' as const, LOG_LEVEL: 'trace' }
  const app = await buildApp({ config, mapping: mappingOf(GRAPH_MAPPING), logger: { ...loggerOptions('trace'), stream } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  let closed = false
  t.teardown(async () => { if (!closed) await app.close() })

  const secrets: Record<string, string> = {
    OKTA_WEBHOOK_SECRET: h.webhookSecret, OPS_TOKEN: h.config.OPS_TOKEN ?? '', OKTA_API_TOKEN: h.config.OKTA_API_TOKEN ?? '',
    ENERFLO_API_KEY: h.config.ENERFLO_API_KEY ?? '', GRAPH_CLIENT_SECRET: h.config.graph?.clientSecret ?? '', GRAPH_CLIENT_STATE: h.clientState
  }
  for (const [name, value] of Object.entries(secrets)) t.ok(value.length >= 16, `${name} is generated`)
  const ops = { authorization: `Bearer ${secrets['OPS_TOKEN'] ?? ''}` }
  const nearMiss = (s: string): string => `${s.slice(0, -1)}${s.endsWith('a') ? 'b' : 'a'}`
  const settled = async (): Promise<void> => {
    await fannedOut(app)
    await waitFor('the queue to settle', async () => await app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), (c) => Object.values(c).every((n) => n === 0), 20_000)
  }
  const okta = async (payload: unknown, secret = h.webhookSecret): Promise<number> =>
    (await app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: secret }, payload: payload as Record<string, unknown> })).statusCode
  const graph = async (payload: unknown, url = '/webhooks/graph'): Promise<number> =>
    (await app.inject({ method: 'POST', url, headers: json, payload: JSON.stringify(payload) })).statusCode
  // Okta's own deliveries carry addresses and names (alternateId, displayName): as Okta sends them.
  const oktaDelivery = (): Record<string, unknown> => {
    const d = delivery(people.all.map((p) => ({ type: 'user.account.update_profile', userId: p.oktaId })))
    const events = (d['data'] as { events: Array<{ target: Array<Record<string, unknown>> }> }).events
    events.forEach((e, i) => { const p = people.all[i]; if (p !== undefined && e.target[0] !== undefined) Object.assign(e.target[0], { alternateId: p.email, displayName: `${p.first} ${p.last}` }) })
    return d
  }

  await t.test('the flow', async (t) => {
    await waitFor('the Graph subscription on users', () => h.graph.subscriptions(), (l) => l.some((s) => /^\/?users$/i.test(String((s as { resource?: unknown }).resource))))
    t.equal((await app.inject({ method: 'GET', url: '/webhooks/okta', headers: { authorization: h.webhookSecret, 'x-okta-verification-challenge': 'challenge-1' } })).statusCode, 200, 'Okta verification')
    t.equal((await app.inject({ method: 'GET', url: '/webhooks/okta', headers: { authorization: nearMiss(h.webhookSecret), 'x-okta-verification-challenge': 'c' } })).statusCode, 401, 'a near-miss secret')
    t.equal((await app.inject({ method: 'POST', url: `/webhooks/graph?validationToken=${encodeURIComponent('Validation: reachability')}` })).statusCode, 200, 'Graph handshake')
    t.equal(await okta(oktaDelivery()), 200, 'an Okta delivery for everyone')
    t.equal(await okta(oktaDelivery(), nearMiss(h.webhookSecret)), 401, 'the same with a near-miss secret')
    t.equal(await okta({ data: { events: [{ uuid: 5, eventType: 'user.lifecycle.create', target: [{ id: '00urep', type: 'User', alternateId: people.all[1]?.email }] }] } }), 400, 'a malformed delivery quoting an address')
    t.equal(await graph({ value: people.all.map((p) => changeItem(h, p.graphId)) }), 202, 'Graph notifications for everyone')
    t.equal(await graph({ value: [changeItem(h, people.all[0]?.graphId ?? '', { clientState: nearMiss(h.clientState) })] }), 202, 'a near-miss clientState (dropped)')
    t.equal(await graph({ value: [{ subscriptionId: 5, resource: `Users/${people.all[0]?.email ?? ''}` }] }), 400, 'a malformed notification quoting an address')
    await settled()
    t.ok(h.enerflo.requests().length >= 3, 'Enerflo was written')

    // Retries, then a permanent 4xx whose message quotes two addresses.
    const [boss, rep] = people.all
    const quoted = `The phone ${rep?.phoneAs ?? ''} of ${rep?.email ?? ''} is already used by ${boss?.email ?? ''} (${boss?.phoneAs ?? ''}).`
    h.enerflo.inject({ kind: 'status', status: 503, count: 1 })
    h.enerflo.inject({ kind: 'drop', count: 1 })
    h.enerflo.inject({ kind: 'status', status: 422, count: 1, body: JSON.stringify({ success: false, message: quoted, errors: { phone: [quoted] } }) })
    const failedBefore = await app.syncQueue.getFailedCount()
    h.directory.updateProfile('00urep', { mobilePhone: people.all[2]?.phoneAs ?? '' })
    t.equal(await okta(delivery([{ type: 'user.account.update_profile', userId: '00urep' }])), 200)
    await waitFor('the permanent failure', async () => await app.syncQueue.getFailedCount(), (n) => n === failedBefore + 1, 20_000)
    const [failed] = await app.syncQueue.getFailed(0, 0)
    t.match(failed?.failedReason, rep?.email ?? '-', 'Enerflo\'s message, quoting addresses and numbers, is the failure reason')

    const subscription = h.graph.subscriptions()[0]?.id ?? ''
    t.equal(await graph({ value: [lifecycleItem(h, subscription, 'reauthorizationRequired')] }, '/webhooks/graph/lifecycle'), 202, 'a lifecycle notification')

    const get = async (url: string, headers: Record<string, string> = ops): Promise<number> => (await app.inject({ method: 'GET', url, headers })).statusCode
    t.equal(await get('/status'), 200)
    t.equal(await get('/ops/failed'), 200)
    t.equal(await get('/ops/unresolved'), 200)
    t.equal(await get('/ops/users/okta/00urep?reveal=true'), 200, 'reveal (Okta)')
    t.equal(await get(`/ops/users/graph/${people.all[1]?.graphId ?? ''}?reveal=true`), 200, 'reveal (Graph)')
    t.equal(await get(`/ops/users/graph/${encodeURIComponent(people.all[1]?.email ?? '')}?reveal=true`), 400, 'a user addressed by email is refused')
    t.equal(await get('/ops/preview/okta/00urep'), 200, 'preview (Okta)')
    t.equal(await get(`/ops/preview/graph/${people.all[0]?.graphId ?? ''}`), 200, 'preview (Graph)')
    t.equal(await get('/status', { authorization: `Bearer ${nearMiss(secrets['OPS_TOKEN'] ?? '')}` }), 401, 'a near-miss ops token')
    t.equal(await get(`/status?token=${encodeURIComponent(secrets['OPS_TOKEN'] ?? '')}`, {}), 401, 'the ops token in a query string')
    t.equal(await get(`/webhooks/okta?authorization=${h.webhookSecret}&x=1`, {}), 401, 'the webhook secret in a query string')
    const link = await app.inject({ method: 'PUT', url: '/ops/links/okta/00unolink', headers: { ...json, ...ops }, payload: { enerfloUserId: 504 } })
    t.equal(link.statusCode, 200, 'the unresolved user linked')
    const csv = `source,idp_user_id,enerflo_user_id\ngraph,${people.all[3]?.graphId ?? ''},504\nokta,bad id ${people.all[3]?.phoneAs ?? ''},5\nokta,${people.all[3]?.oktaId ?? ''},${people.all[3]?.email ?? ''}\n`
    t.equal((await app.inject({ method: 'POST', url: '/ops/links/import', headers: { 'content-type': 'text/csv', ...ops }, payload: csv })).statusCode, 200, 'an import with an address and a phone in rejected rows')
    // Entra ID lets a user be addressed by UPN; an operator may link one that way (to a user
    // Enerflo does not have, so nothing real changes).
    const byAddress = await app.inject({ method: 'PUT', url: `/ops/links/graph/${encodeURIComponent(people.all[2]?.email ?? '')}`, headers: { ...json, ...ops }, payload: { enerfloUserId: 999 } })
    t.equal(byAddress.statusCode, 400, 'an email address is refused as an idp user id')
    t.equal((await app.inject({ method: 'POST', url: '/ops/failed/retry', headers: { ...json, ...ops }, payload: { source: 'okta', dryRun: true } })).json().matched, 1)
    // A request Node's parser refuses, carrying secrets in its headers (logged at trace by Fastify).
    const raw = Buffer.from(`POST /webhooks/okta HTTP/1.1\r\nhost: x\r\nauthorization: ${h.webhookSecret}\r\nx-ops: Bearer ${secrets['OPS_TOKEN'] ?? ''}\r\nx-bad: a\u0000b\r\n\r\n`, 'latin1')
    t.equal((await rawSend(port, raw)).status, 400, 'a request the HTTP parser refuses')
    await settled()
    t.equal(h.enerflo.user(504)?.email, people.all[3]?.email.toLowerCase(), 'the linked user was synced')
  })

  await t.test('logs: every line searched', async (t) => {
    closed = true
    await app.close()
    const text = lines.join('\n')
    const decoded: string[] = []
    let notJson = 0
    for (const line of lines) {
      try { decodedBytes(JSON.parse(line), decoded) } catch { notJson++ }
    }
    const haystack = `${text}\n${decoded.join('\n')}`
    t.equal(notJson, 0, 'every line is a JSON log record')
    t.comment(`${lines.length} log lines at trace, ${decoded.length} byte arrays decoded`)
    for (const m of ['user applied to Enerflo', 'sync failed permanently', 'parked as unresolved', 'operator revealed personal data', 'request rejected', 'graph subscription created', 'client error']) {
      t.ok(text.includes(m), `the run logged "${m}"`)
    }
    for (const [name, value] of Object.entries(secrets)) {
      t.notOk(haystack.includes(value), `${name} never appears`)
      t.notOk(haystack.includes(value.slice(0, 12)), `…nor its first 12 characters (a near miss or a truncation)`)
    }
    t.notMatch(haystack, /bearer\s+[A-Za-z0-9._~+/=-]{8,}/i, 'no bearer token of any kind')
    const lower = haystack.toLowerCase()
    for (const email of people.emails) t.notOk(lower.includes(email.toLowerCase()), `${email.replace(/@.*/, '@…')} never appears`)
    for (const p of people.phones) {
      for (const form of p.forms) t.notOk(haystack.includes(form), `phone form ${form.slice(0, 4)}… never appears`)
      t.notMatch(haystack, phonePattern(p.digits), `phone ${p.digits.slice(0, 3)}… never appears, however separated`)
    }
  })

  await t.test('Redis: job data holds ids and timestamps only', async (t) => {
    const redis = h.redis.client()
    const jobs = await jobHashes(redis, 'test')
    const sync = jobs.filter((j) => j.key.startsWith('test:user-sync:'))
    t.ok(sync.length >= 5, `${sync.length} sync job hashes (${jobs.length} job hashes in all)`)
    t.comment(`${jobs.length} BullMQ job hashes scanned (${sync.length} sync, ${jobs.length - sync.length} subscription)`)
    for (const job of jobs) {
      const data = JSON.parse(job.data) as Record<string, unknown>
      // Every queue's jobs carry ids, names of sources and modes, and times; never personal data.
      const allowed = job.key.startsWith('test:user-sync:')
        ? ['eventIds', 'receivedAt', 'source', 'userId']
        : job.key.startsWith('test:reconcile:') ? ['source', 'mode', 'runId'] : job.key.startsWith('test:graph-group-changes:') ? ['groupId', 'receivedAt'] : ['kind', 'subscriptionId']
      t.same(Object.keys(data).filter((k) => !allowed.includes(k)), [], `${job.key}: data has only ${allowed.join(', ')}`)
      const lowerData = job.data.toLowerCase()
      const personal = [
        ...people.emails.filter((e) => lowerData.includes(e.toLowerCase())),
        ...people.phones.filter((p) => phonePattern(p.digits).test(job.data)).map((p) => p.digits),
        ...people.all.flatMap((p) => [p.first, p.last]).filter((n) => n.length >= 4 && job.data.includes(n))
      ]
      // An operator may link a user by its address (PUT /ops/links/graph/<UPN>, or an import row):
      // the id patterns allow @, so that address becomes the job's userId.
      t.same(personal, [], `${job.key}: no address, number or name in data`)
      if (typeof data['receivedAt'] === 'number') t.ok(data['receivedAt'] > 1.6e12, `${job.key}: receivedAt is a timestamp`)
    }
    const reasons = jobs.filter((j) => j.failedReason !== null && people.emails.some((e) => j.failedReason?.toLowerCase().includes(e.toLowerCase())))
    t.comment(`failedReason of ${reasons.length} failed job(s) quotes an address (Enerflo's own message; shown by /ops/failed)`)
  })
})
