import t from 'tap'
import { startHarness, delivery, secret } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import { drainQueues, fannedOut } from '../helpers/deliveries.js'
import { flushDeliveries } from '../../plugins/webhooks/delivery-accounting.js'

const json = { 'content-type': 'application/json' }

t.test('Okta receiver', async (t) => {
  const h = await startHarness(t, { role: 'api', env: { OKTA_WEBHOOK_SECRET_PREVIOUS: secret() } })
  const auth = { authorization: h.webhookSecret }
  const waiting = async (): Promise<number> => { await fannedOut(h.app); return await h.app.syncQueue.getWaitingCount() }

  t.test('verification handshake echoes the challenge only with the right secret', async (t) => {
    const ok = await h.app.inject({ method: 'GET', url: '/webhooks/okta', headers: { ...auth, 'x-okta-verification-challenge': 'abc123' } })
    t.equal(ok.statusCode, 200)
    t.same(ok.json(), { verification: 'abc123' })
    const wrong = await h.app.inject({ method: 'GET', url: '/webhooks/okta', headers: { authorization: secret(), 'x-okta-verification-challenge': 'abc123' } })
    t.equal(wrong.statusCode, 401)
    t.notMatch(wrong.body, 'abc123', 'no echo without the secret')
    const missing = await h.app.inject({ method: 'GET', url: '/webhooks/okta', headers: auth })
    t.equal(missing.statusCode, 400)
    t.match(missing.json().message, /x-okta-verification-challenge/)
  })

  t.test('secret: missing, wrong, wrong of the right length → 401; previous secret accepted', async (t) => {
    const body = delivery([{ type: 'user.account.update_profile', userId: '00urep' }])
    for (const headers of [{}, { authorization: 'nope' }, { authorization: h.webhookSecret.replace(/.$/, (c) => c === 'a' ? 'b' : 'a') }]) {
      const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, ...headers }, payload: body })
      t.equal(res.statusCode, 401)
      t.equal(res.json().code, 'WEBHOOK_AUTH')
      t.notMatch(res.body, h.webhookSecret)
    }
    t.equal(await waiting(), 0, 'nothing enqueued on 401')
    const prev = h.config.OKTA_WEBHOOK_SECRET_PREVIOUS as string
    const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, authorization: prev }, payload: body })
    t.equal(res.statusCode, 200, 'previous secret still works during rotation')
    await drainQueues(h.app)
  })

  t.test('bad requests: 415, 413, 400 — and nothing enqueued', async (t) => {
    const type = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hello' })
    t.equal(type.statusCode, 415)
    const big = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, ...auth }, payload: JSON.stringify({ data: { events: [], pad: 'x'.repeat(1024 * 1024 + 10) } }) })
    t.equal(big.statusCode, 413)
    const notJson = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, ...auth }, payload: '{"data": {' })
    t.equal(notJson.statusCode, 400)
    const noEvents = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, ...auth }, payload: { data: {} } })
    t.equal(noEvents.statusCode, 400)
    t.match(noEvents.json().message, /events/)
    const wrongType = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, ...auth }, payload: { data: { events: [{ uuid: 1, eventType: 'user.lifecycle.create' }] } } })
    t.equal(wrongType.statusCode, 400)
    t.equal(await waiting(), 0)
  })

  t.test('one job per distinct user; other event types acknowledged and not queued', async (t) => {
    const body = delivery([
      { type: 'user.lifecycle.create', userId: '00ua' },
      { type: 'user.account.update_profile', userId: '00ua' },
      { type: 'group.user_membership.add', userId: '00ub', extraTargets: true },
      { type: 'USER.LIFECYCLE.DEACTIVATE'.toLowerCase(), userId: '00uc' },
      { type: 'user.session.start', userId: '00ud' },
      { type: 'group.user_membership.remove', userId: null }
    ])
    const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, ...auth }, payload: body })
    t.equal(res.statusCode, 200)
    t.equal(res.body, '', 'empty body')
    await fannedOut(h.app)
    const jobs = await h.app.syncQueue.getWaiting()
    t.same(jobs.map((j) => j.data.userId).sort(), ['00ua', '00ub', '00uc'])
    const a = jobs.find((j) => j.data.userId === '00ua')
    t.equal(a?.data.eventIds.length, 2, 'both events for 00ua are on its one job')
    t.same(Object.keys(a?.data ?? {}).sort(), ['eventIds', 'receivedAt', 'source', 'userId'], 'job data holds ids and timestamps only')
    // The delivery counters go to Redis in batches (up to FLUSH_MS after the answer).
    await flushDeliveries(h.app)
    const stats = await h.app.store.stats()
    t.equal(stats['okta.events.ignored'], 1)
    t.equal(stats['okta.events.no-user'], 1)
    await drainQueues(h.app)
  })

  t.test('a repeated delivery is counted as duplicate and adds no second waiting job', async (t) => {
    const body = delivery([{ type: 'user.account.update_profile', userId: '00urep' }])
    for (let i = 0; i < 3; i++) {
      const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, ...auth }, payload: body })
      t.equal(res.statusCode, 200)
    }
    t.equal(await waiting(), 1)
    await flushDeliveries(h.app)
    t.equal((await h.app.store.stats())['okta.events.duplicate'], 2)
    await drainQueues(h.app)
  })

  t.test('counters reach Redis on their own, in batches; a repeat inside one batch is still a duplicate', async (t) => {
    await flushDeliveries(h.app)
    const before = await h.app.store.stats()
    const body = delivery([{ type: 'user.account.update_profile', userId: '00ubatch' }])
    // Sent together, so they land in one batch: the second finds the key the first set.
    const answers = await Promise.all([0, 1].map(async () => await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, ...auth }, payload: body })))
    t.same(answers.map((r) => r.statusCode), [200, 200])
    const after = await waitFor('the batch', async () => await h.app.store.stats(), (s) => s['okta.deliveries'] === (before['okta.deliveries'] ?? 0) + 2, 2000)
    t.equal(after['okta.events.duplicate'], (before['okta.events.duplicate'] ?? 0) + 1)
    t.equal(after['okta.events.user-change'], (before['okta.events.user-change'] ?? 0) + 2)
    await drainQueues(h.app)
  })

  t.test('/status accounts for every delivery: accepted, duplicates, rejected by reason', async (t) => {
    await flushDeliveries(h.app)
    const status = (await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).json()
    const okta = status.sources.okta
    t.equal(okta.configured, true)
    t.match(okta.rejected, { auth: 4, 'media-type': 1, 'too-large': 1, malformed: 4 }, 'the handshake and the deliveries above')
    t.equal(okta.duplicates, 3)
    t.equal(okta.accepted, 7, 'user-change events minus duplicates')
    t.type(status.version, 'string')
    t.type(status.drainEtaSeconds, 'number')
  })

  t.test('Redis down → 503, back → 200', async (t) => {
    const body = delivery([{ type: 'user.account.update_profile', userId: '00urep' }])
    await h.redis.stop()
    const down = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, ...auth }, payload: body })
    t.equal(down.statusCode, 503)
    t.equal(down.json().code, 'QUEUE_UNAVAILABLE')
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' })
    t.equal(ready.statusCode, 503)
    await h.redis.start()
    // The client reconnects on its own schedule: deliver again, as Okta would, until it is taken.
    const res = await waitFor('a delivery to be accepted again', async () => await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { ...json, ...auth }, payload: body }), (r) => r.statusCode === 200)
    t.equal(res.statusCode, 200, 'accepts again once Redis is back')
    t.equal(await waiting(), 1, 'and the job is stored')
  })
})
