import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { lifecycleItem, startGraphHarness, type GraphHarness } from '../helpers/graph-harness.js'
import { waitFor } from '../helpers/wait.js'
import { LIFETIME_MS } from '../../src/graph/subscription-keeper.js'

const calls = (h: GraphHarness, method: string, re: RegExp): number => h.graph.requests().filter((r) => r.method === method && re.test(r.path)).length
// The keeper also subscribes to each mapped group (test/graph/group-membership.test.ts); these
// tests are about the one on users.
const creates = (h: GraphHarness): number => h.graph.createdSubscriptions().filter((s) => s.resource === 'users').length
const userSubs = (h: GraphHarness) => h.graph.subscriptions().filter((s) => s.resource === 'users')
const renewals = (h: GraphHarness): number => calls(h, 'PATCH', /^\/v1\.0\/subscriptions\//)
interface Check { outcome: string, processedOn: number, finishedOn: number }
/**
 * Each subscription job the apps' workers finish from now on: what it came to ("ensure:current",
 * "ensure:renewed", "ensure:failed" …) and when it ran. The event that proves a check ran to its end.
 */
const finished = (apps: FastifyInstance[], into: Check[] = []): Check[] => {
  const push = (job: { name: string, processedOn?: number | undefined, finishedOn?: number | undefined } | undefined, outcome: string): void => {
    into.push({ outcome: `${job?.name ?? '?'}:${outcome}`, processedOn: job?.processedOn ?? NaN, finishedOn: job?.finishedOn ?? NaN })
  }
  for (const app of apps) {
    app.graphSubscriptionWorker?.on('completed', (job, outcome) => { push(job, String(outcome)) })
    app.graphSubscriptionWorker?.on('failed', (job) => { push(job, 'failed') })
  }
  return into
}
const outcomesOf = (checks: Check[]): string[] => checks.map((c) => c.outcome)
/** Pairs of checks that ran at the same time, by the times BullMQ recorded for them. */
const overlapping = (checks: Check[]): string[] => {
  const byStart = [...checks].sort((a, b) => a.processedOn - b.processedOn)
  return byStart.slice(1).flatMap((c, i) => {
    const before = byStart[i] as Check
    return c.processedOn < before.finishedOn ? [`${before.outcome} ${before.processedOn}–${before.finishedOn} and ${c.outcome} from ${c.processedOn}`] : []
  })
}
const status = async (h: GraphHarness) => (await h.app.inject({ method: 'GET', url: '/status', headers: h.ops })).json()
const CHECK = { GRAPH_SUBSCRIPTION_CHECK_MS: '250' }
const hasReason = (st: { reasons: string[] }, re: RegExp): boolean => st.reasons.some((r) => re.test(r))

t.test('the subscription is created once, validated by our own receiver, and shown in /status', async (t) => {
  const h = await startGraphHarness(t, { env: CHECK })
  // Listening before any job can finish: the first check needs Graph, which is a round trip away.
  const outcomes = finished([h.app])
  const [s] = await waitFor('a subscription', () => userSubs(h), (l) => l.length === 1)
  t.match(s, {
    resource: 'users', changeType: 'updated,deleted', clientState: h.clientState,
    notificationUrl: 'https://sync.example.com/webhooks/graph', lifecycleNotificationUrl: 'https://sync.example.com/webhooks/graph/lifecycle'
  })
  const left = Date.parse(s?.expirationDateTime ?? '') - Date.now()
  t.ok(left > LIFETIME_MS - 60_000 && left <= 41_760 * 60_000, 'asks for (almost) the users maximum of 41,760 minutes')
  finished([await h.buildAnother()], outcomes)
  const from = outcomes.length
  await waitFor('three more checks, by either instance', () => outcomes.length - from, (n) => n >= 3)
  t.equal(creates(h), 1, 'created once, though two instances ran several checks')
  t.equal(renewals(h), 0, 'and not renewed while most of its life is left')
  t.same(outcomesOf(outcomes).filter((o) => o !== 'ensure:current'), ['ensure:created'], 'one check created it; every other found it current')
  t.same(overlapping(outcomes), [], 'one check at a time across both instances')
  const st = await status(h)
  t.match(st.sources.graph.subscription, { managed: true, id: s?.id, expiresAt: s?.expirationDateTime, lastRenewalAt: String, lastError: null })
  t.notOk(hasReason(st, /Graph subscription|PUBLIC_URL/i), 'not degraded by the subscription')
})

t.test('two running instances renew before expiry exactly once', async (t) => {
  const h = await startGraphHarness(t, { env: CHECK })
  const outcomes = finished([h.app, await h.buildAnother()])
  const [s] = await waitFor('a subscription', () => userSubs(h), (l) => l.length === 1)
  await waitFor('the check that created it to finish', () => outcomesOf(outcomes), (o) => o.includes('ensure:created'))
  // Graph calls take a while, so two checks that were allowed to overlap would both renew.
  h.graph.setLatency(300)
  // Time passes: ten minutes are left.
  h.graph.setExpiry(s?.id ?? '', new Date(Date.now() + 10 * 60_000).toISOString())
  await waitFor('a renewal', () => renewals(h), (n) => n >= 1)
  // A check that overlapped the renewing one started before it ended, and it makes the same
  // calls, so it finishes before one started after it (and it would have renewed as well).
  await waitFor('a check finished after the renewing one', () => outcomesOf(outcomes).indexOf('ensure:renewed'),
    (i) => i >= 0 && outcomes.length > i + 1)
  t.equal(renewals(h), 1, 'one PATCH across both instances and several checks')
  t.equal(outcomesOf(outcomes).filter((o) => o === 'ensure:renewed').length, 1, 'one check renewed it')
  t.same(outcomesOf(outcomes).filter((o) => o.endsWith(':failed')), [], 'and none failed')
  t.same(overlapping(outcomes), [], 'no two checks ran at once')
  t.equal(creates(h), 1)
  const after = userSubs(h)[0]
  t.equal(after?.id, s?.id, 'the same subscription, renewed')
  t.ok(Date.parse(after?.expirationDateTime ?? '') - Date.now() > LIFETIME_MS - 60_000, 'for the full lifetime again')
  const st = await status(h)
  t.equal(st.sources.graph.subscription.expiresAt, after?.expirationDateTime)
})

t.test('after a restart that lost Redis, our subscription is found and reused; strays of ours removed', async (t) => {
  const h = await startGraphHarness(t, { env: CHECK })
  const [s] = await waitFor('a subscription', () => userSubs(h), (l) => l.length === 1)
  await h.app.close()
  await h.redis.client().del('test:graph:subscription')
  const again = await h.buildAnother()
  await waitFor('the subscription to be remembered again', async () => await again.graph.state.get(), (r) => r.id !== undefined)
  t.equal(creates(h), 1, 'no new subscription')
  t.equal((await again.graph.state.get()).id, s?.id)
  t.same(userSubs(h).map((x) => x.id), [s?.id])
})

t.test('lifecycle: subscriptionRemoved recreates it, reauthorizationRequired reauthorizes it', async (t) => {
  const h = await startGraphHarness(t, { env: { GRAPH_SUBSCRIPTION_CHECK_MS: '3600000' } })
  const [s] = await waitFor('a subscription', () => userSubs(h), (l) => l.length === 1)
  const id = s?.id ?? ''
  const reauth = await h.post({ value: [lifecycleItem(h, id, 'reauthorizationRequired')] }, { url: '/webhooks/graph/lifecycle' })
  t.equal(reauth.statusCode, 202)
  await waitFor('a reauthorize call', () => calls(h, 'POST', new RegExp(`/subscriptions/${id}/reauthorize$`)), (n) => n === 1)

  h.graph.removeSubscription(id)
  const res = await h.post({ value: [lifecycleItem(h, id, 'subscriptionRemoved')] }, { url: '/webhooks/graph/lifecycle' })
  t.equal(res.statusCode, 202)
  const [fresh] = await waitFor('a new subscription', () => userSubs(h), (l) => l.length === 1 && l[0]?.id !== id)
  t.equal(creates(h), 2)
  t.equal((await status(h)).sources.graph.subscription.id, fresh?.id)
})

t.test('a missing or expired subscription makes the service degraded', async (t) => {
  const h = await startGraphHarness(t, { env: { GRAPH_SUBSCRIPTION_CHECK_MS: '3600000' } })
  await waitFor('a subscription', () => userSubs(h), (l) => l.length === 1)
  await waitFor('state', async () => await h.app.graph.state.get(), (r) => r.id !== undefined)
  await h.redis.client().hset('test:graph:subscription', 'expiresAt', new Date(Date.now() - 1000).toISOString())
  t.ok(hasReason(await status(h), /Graph subscription expired/))
  await h.app.graph.state.clear()
  const st = await status(h)
  t.equal(st.status, 'degraded')
  t.ok(hasReason(st, /no Graph subscription/))
  t.equal(st.sources.graph.subscription.id, null)
})

t.test('without PUBLIC_URL no subscription is made, and /status says why', async (t) => {
  const h = await startGraphHarness(t, { noPublicUrl: true, env: CHECK })
  // Decided while the app started: no worker and no schedule, so no check will ever run.
  t.equal(h.app.graphSubscriptionWorker, undefined, 'no subscription worker')
  t.same(await h.app.graph.queue.getJobSchedulers(), [], 'no scheduled check')
  const jobs = await h.app.graph.queue.getJobCounts()
  t.ok(Object.values(jobs).every((n) => n === 0), `no subscription job at all: ${JSON.stringify(jobs)}`)
  t.equal(creates(h), 0)
  t.ok(hasReason(await status(h), /PUBLIC_URL is unset/))
})

t.test('a failing check is recorded and shown; the next one recovers', async (t) => {
  const h = await startGraphHarness(t, { env: CHECK })
  await waitFor('a subscription', () => userSubs(h), (l) => l.length === 1)
  h.graph.inject({ kind: 'status', status: 500, count: 1, path: '/subscriptions' })
  await waitFor('an error to be recorded', async () => (await status(h)).sources.graph.subscription.lastError, (e) => typeof e === 'string' && /GRAPH_UNAVAILABLE/.test(e))
  await waitFor('recovery', async () => (await status(h)).sources.graph.subscription.lastError, (e) => e === null)
  t.equal(creates(h), 1)
})
