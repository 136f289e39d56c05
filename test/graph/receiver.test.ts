import t from 'tap'
import { secret } from '../helpers/harness.js'
import { changeItem, lifecycleItem, startGraphHarness } from '../helpers/graph-harness.js'
import { G } from '../helpers/graph-fixtures.js'
import { GRAPH_SUBSCRIPTION_QUEUE } from '../../queues/graph-subscription-queue.js'
import { Queue } from 'bullmq'
import { flushDeliveries } from '../../plugins/webhooks/delivery-accounting.js'
import { drainQueues, fannedOut } from '../helpers/deliveries.js'

t.test('Graph receiver', async (t) => {
  const previous = secret()
  const h = await startGraphHarness(t, { role: 'api', env: { GRAPH_CLIENT_STATE_PREVIOUS: previous } })
  const waiting = async (): Promise<string[]> => { await fannedOut(h.app); return (await h.app.syncQueue.getWaiting()).map((j) => j.data.userId).sort() }
  const lifecycleQueue = new Queue(GRAPH_SUBSCRIPTION_QUEUE, { connection: h.redis.client(), prefix: 'test' })
  t.teardown(async () => { await lifecycleQueue.close() })

  t.test('validation handshake on both routes: decoded token echoed as text/plain, before any body parsing', async (t) => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 3b3f <b>&amp;</b>+x'
    for (const url of ['/webhooks/graph', '/webhooks/graph/lifecycle']) {
      // Graph sends the handshake as text/plain, which no parser here accepts: the hook answers first.
      const res = await h.app.inject({ method: 'POST', url: `${url}?validationToken=${encodeURIComponent(token)}`, headers: { 'content-type': 'text/plain; charset=utf-8' }, payload: 'not json' })
      t.equal(res.statusCode, 200, url)
      t.equal(res.body, token, 'URL-decoded, byte for byte')
      t.match(res.headers['content-type'], /^text\/plain/)
      t.equal(res.headers['x-content-type-options'], 'nosniff')
    }
    const plus = await h.app.inject({ method: 'POST', url: '/webhooks/graph?validationToken=a+b%3Ac', payload: '' })
    t.equal(plus.body, 'a b:c', 'a + in the query is a space')
    const empty = await h.app.inject({ method: 'POST', url: '/webhooks/graph?validationToken=', payload: '' })
    t.equal(empty.statusCode, 400)
    t.same(await waiting(), [])
  })

  t.test('a wrong or missing clientState enqueues nothing and is counted; the previous one is accepted', async (t) => {
    const res = await h.post({ value: [changeItem(h, G.rep, { clientState: secret() }), changeItem(h, G.boss, { clientState: null }), changeItem(h, G.setter, { clientState: h.clientState.slice(0, -1) })] })
    t.equal(res.statusCode, 202, 'acknowledged, so Graph does not retry a forgery')
    t.same(await waiting(), [])
    t.equal((await h.app.store.stats())['graph.rejected.client-state'], 3)
    const mixed = await h.post({ value: [changeItem(h, G.rep, { clientState: secret() }), changeItem(h, G.boss, { clientState: previous })] })
    t.equal(mixed.statusCode, 202)
    t.same(await waiting(), [G.boss], 'only the item with an accepted client state')
    await drainQueues(h.app)
  })

  t.test('an item from another tenant is not ours', async (t) => {
    const item = { ...changeItem(h, G.rep), tenantId: '00000000-0000-4000-8000-0000000000ff' }
    t.equal((await h.post({ value: [item] })).statusCode, 202)
    t.same(await waiting(), [])
  })

  t.test('one job per distinct user across subscriptions; organizationId accepted; other change types ignored', async (t) => {
    const { tenantId: _drop, ...noTenant } = changeItem(h, G.boss)
    const res = await h.post({
      value: [
        changeItem(h, G.rep), changeItem(h, G.rep, { changeType: 'deleted' }), { ...noTenant, organizationId: h.tenantId },
        changeItem(h, G.setter, { subscriptionId: 'another' }), { ...changeItem(h, G.nolink), changeType: 'weird' },
        { ...changeItem(h, 'x'), resource: 'Groups/x', resourceData: null }
      ]
    })
    t.equal(res.statusCode, 202)
    t.equal(res.body, '')
    t.same(await waiting(), [G.boss, G.rep, G.setter].sort())
    const job = (await h.app.syncQueue.getWaiting()).find((j) => j.data.userId === G.rep)
    t.same(Object.keys(job?.data ?? {}).sort(), ['eventIds', 'receivedAt', 'source', 'userId'])
    t.equal(job?.data.source, 'graph')
    // The delivery counters go to Redis in batches (up to FLUSH_MS after the answer).
    await flushDeliveries(h.app)
    const stats = await h.app.store.stats()
    t.equal(stats['graph.events.ignored'], 1)
    t.equal(stats['graph.events.no-user'], undefined, 'a group is not "no user": it is a membership change')
    t.same((await h.app.graphGroupQueue.getWaiting()).map((j) => j.data.groupId), ['x'], 'the group change is queued for its own worker')
    await drainQueues(h.app)
    await h.app.graphGroupQueue.drain()
  })

  t.test('sequenceNumber beyond 2^53 is kept exactly, as text', async (t) => {
    const item = changeItem(h, G.rep)
    const raw = JSON.stringify({ value: [item] }).replace('"tenantId"', '"sequenceNumber": 638461234567890123456, "tenantId"')
    t.equal((await h.post(raw)).statusCode, 202)
    await fannedOut(h.app)
    const [job] = await h.app.syncQueue.getWaiting()
    t.match(job?.data.eventIds[0], /:638461234567890123456$/, 'the exact digits, not 638461234567890100000')
    await drainQueues(h.app)
  })

  t.test('malformed bodies → 400 and nothing enqueued', async (t) => {
    for (const body of ['{"value": [', '{}', '{"value": []}', '{"value": [{"changeType": "updated"}]}', '{"value": "x"}']) {
      const res = await h.post(body)
      t.equal(res.statusCode, 400, body)
      t.equal(JSON.parse(res.body).code, 'WEBHOOK_BODY')
    }
    const text = await h.app.inject({ method: 'POST', url: '/webhooks/graph', headers: { 'content-type': 'text/plain' }, payload: 'hi' })
    t.equal(text.statusCode, 415)
    t.same(await waiting(), [])
  })

  t.test('lifecycle: reauthorize and recreate become subscription jobs, missed is recorded, unknown acknowledged', async (t) => {
    const res = await h.post({
      value: [
        lifecycleItem(h, 'sub-1', 'reauthorizationRequired'), lifecycleItem(h, 'sub-1', 'reauthorizationRequired'),
        lifecycleItem(h, 'sub-2', 'subscriptionRemoved'), lifecycleItem(h, 'sub-1', 'missed'),
        lifecycleItem(h, 'sub-1', 'somethingNew'), lifecycleItem(h, 'sub-1', 'subscriptionRemoved', secret())
      ]
    }, { url: '/webhooks/graph/lifecycle' })
    t.equal(res.statusCode, 202)
    const jobs = await lifecycleQueue.getWaiting()
    t.same(jobs.map((j) => j.data).sort((a, b) => String(a.kind).localeCompare(String(b.kind))), [
      { kind: 'reauthorize', subscriptionId: 'sub-1' }, { kind: 'recreate', subscriptionId: 'sub-2' }
    ], 'one job each; the forged subscriptionRemoved is dropped')
    const stats = await h.app.store.stats()
    t.equal(stats['graph.lifecycle.missed'], 1)
    t.equal(stats['graph.lifecycle.unknown'], 1)
    const status = await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })
    t.type(status.json().sources.graph.subscription.lastMissedAt, 'string', '/status shows the missed notification')
    await lifecycleQueue.drain()
  })

  t.test('Redis down → 503 on both routes, back → 202', async (t) => {
    await h.redis.stop()
    const down = await h.post({ value: [changeItem(h, G.rep)] })
    t.equal(down.statusCode, 503)
    const downLife = await h.post({ value: [lifecycleItem(h, 'sub-9', 'missed')] }, { url: '/webhooks/graph/lifecycle' })
    t.equal(downLife.statusCode, 503)
    const handshake = await h.app.inject({ method: 'POST', url: '/webhooks/graph?validationToken=still-here', payload: '' })
    t.equal(handshake.body, 'still-here', 'the handshake needs no Redis')
    await h.redis.start()
    let res = down
    for (let i = 0; i < 50 && res.statusCode !== 202; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      res = await h.post({ value: [changeItem(h, G.rep)] })
    }
    t.equal(res.statusCode, 202)
    t.same(await waiting(), [G.rep])
  })
})

t.test('Graph off: its routes answer 404', async (t) => {
  const { startHarness } = await import('../helpers/harness.js')
  const h = await startHarness(t, { role: 'api' })
  const res = await h.app.inject({ method: 'POST', url: '/webhooks/graph?validationToken=abc', payload: '' })
  t.equal(res.statusCode, 404)
  t.notMatch(res.body, /^abc$/)
})

t.test('an item whose user cannot be read is "no user"; the rest of the POST is stored', async (t) => {
  const h = await startGraphHarness(t, { role: 'api' })
  const waiting = async (): Promise<string[]> => { await fannedOut(h.app); return (await h.app.syncQueue.getWaiting()).map((j) => j.data.userId).sort() }
  const bad = ['Users/%E0%A4%A', 'Users/%zz', 'Users/..', 'Users/someone@example.com'].map((resource) => ({ ...changeItem(h, G.rep), resource, resourceData: null }))
  const res = await h.post({ value: [...bad, changeItem(h, G.boss)] })
  t.equal(res.statusCode, 202, 'not a 500: Graph would retry it for hours')
  t.same(await waiting(), [G.boss], 'the valid item of the same POST is queued')
  await drainQueues(h.app)
})
