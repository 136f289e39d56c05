/**
 * GET /metrics: valid Prometheus text (parsed by an independent parser, and each family declared
 * once), a Redis-up gauge, no stale Redis-derived values while Redis is down, and one events
 * counter for every source.
 */
import t, { type Test } from 'tap'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { startHarness, delivery, type Harness } from '../helpers/harness.js'
import { countEvents } from '../../plugins/status/metrics.js'
import { waitFor } from '../helpers/wait.js'

interface Family { name: string, type: string, metrics: Array<{ value?: string, labels?: Record<string, string> }> }

async function scrape (t: Test, h: Harness): Promise<Map<string, Family>> {
  const res = await h.app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const text = res.body
  // Each family once: the text joins two registries, and a name in both would be invalid.
  const declared = text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2])
  t.same(declared.filter((n, i) => declared.indexOf(n) !== i), [], 'no family declared twice')
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? -?([0-9.e+-]+|NaN|\+Inf|-Inf)$/.test(line)) t.fail(`not an exposition line: ${line}`)
  }
  const families = parsePrometheusTextFormat(text) as Family[]
  return new Map(families.map((f) => [f.name, f]))
}

const value = (f: Family | undefined, labels: Record<string, string> = {}): number | undefined => {
  const m = f?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v))
  return m?.value === undefined ? undefined : Number(m.value)
}

t.test('Redis up, Redis down, Redis back; events from every source in one counter', async (t) => {
  const h = await startHarness(t)
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep' }, { type: 'group.lifecycle.create' }]) })
  t.equal(res.statusCode, 200)
  // What the Graph receiver does with its own counts (plugins/webhooks/graph.ts).
  countEvents(h.app.metrics, 'graph', 'notification', { queued: 2, ignored: 1, no_user: 0 })

  const up = await scrape(t, h)
  t.equal(value(up.get('enerflo_sync_redis_up')), 1)
  t.equal(up.get('enerflo_sync_redis_up')?.type, 'GAUGE')
  t.ok(up.has('enerflo_sync_queue_jobs'))
  t.equal(value(up.get('enerflo_sync_enerflo_budget_remaining')) !== undefined, true)
  t.equal(value(up.get('enerflo_sync_unresolved_users')), 0)
  const events = up.get('enerflo_sync_events_total')
  t.equal(events?.type, 'COUNTER')
  t.equal(value(events, { source: 'okta', outcome: 'queued' }), 1)
  t.equal(value(events, { source: 'graph', outcome: 'queued' }), 2, 'Graph counts in the same counter')
  t.equal(value(events, { source: 'graph', outcome: 'ignored' }), 1)
  t.equal(value(events, { source: 'graph', outcome: 'no_user' }), undefined, 'zeros add no series')

  await h.redis.stop()
  const down = await scrape(t, h)
  t.equal(value(down.get('enerflo_sync_redis_up')), 0)
  for (const name of ['enerflo_sync_queue_jobs', 'enerflo_sync_enerflo_budget_remaining', 'enerflo_sync_unresolved_users']) {
    t.notOk(down.has(name), `${name} is left out, not served stale`)
  }
  t.equal(value(down.get('enerflo_sync_events_total'), { source: 'okta', outcome: 'queued' }), 1, 'in-process counters stay')

  await h.redis.start()
  // The app's connection comes back on its own retry schedule; wait for that, not for a time.
  await waitFor('the app to reconnect', async () => await h.app.redis.ping().then(() => true, () => false), (ok) => ok)
  const back = await scrape(t, h)
  t.equal(value(back.get('enerflo_sync_redis_up')), 1)
  t.ok(back.has('enerflo_sync_queue_jobs'), 'back once Redis is')
  t.equal(value(back.get('enerflo_sync_webhook_requests_total'), { source: 'okta', status: '200' }), 1)
  t.equal(value(back.get('enerflo_sync_events_total'), { source: 'okta', type: 'other', outcome: 'ignored' }), 1)

  // Counts kept between scrapes (plugins/status/metrics.ts Tally) add to what was served, once.
  const again = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep2' }]) })
  t.equal(again.statusCode, 200)
  const refused = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: 'wrong' }, payload: delivery([{ type: 'user.account.update_profile', userId: '00urep3' }]) })
  t.equal(refused.statusCode, 401)
  // Three scrapes above served the first delivery as 1 each time: nothing was counted twice.
  const later = await scrape(t, h)
  t.equal(value(later.get('enerflo_sync_events_total'), { source: 'okta', type: 'user.account.update_profile', outcome: 'queued' }), 2, 'both deliveries\' events')
  t.equal(value(later.get('enerflo_sync_webhook_requests_total'), { source: 'okta', status: '200' }), 2)
  t.equal(value(later.get('enerflo_sync_webhook_requests_total'), { source: 'okta', status: '401' }), 1)
})
