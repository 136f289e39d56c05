import t from 'tap'
import { askedWaitMs, rateLimitRemaining, rateLimitResetMs, retryAfterMs, upstreamNow } from '../../src/http/rate-headers.js'

const now = 1_711_037_944_000

t.test('Retry-After: delay-seconds or an HTTP date; anything else is unknown', async (t) => {
  t.equal(retryAfterMs({ 'retry-after': '41' }, now), 41_000)
  t.equal(retryAfterMs({ 'retry-after': '1.5' }, now), 1500)
  t.equal(retryAfterMs({ 'retry-after': '0' }, now), 0, 'floors are the client\'s to set')
  t.equal(retryAfterMs({ 'retry-after': new Date(now + 30_000).toUTCString() }, now), 30_000)
  t.equal(retryAfterMs({ 'retry-after': new Date(now - 30_000).toUTCString() }, now), 0, 'a date in the past is now')
  t.equal(retryAfterMs({ 'retry-after': '-3' }, now), undefined)
  t.equal(retryAfterMs({ 'retry-after': 'soon' }, now), undefined)
  t.equal(retryAfterMs({ 'retry-after': ' ' }, now), undefined)
  t.equal(retryAfterMs({}, now), undefined)
})

t.test('an HTTP date is read on the upstream\'s clock when it sent a Date', async (t) => {
  const date = new Date(now).toUTCString()
  t.equal(upstreamNow({ date }), now)
  t.equal(retryAfterMs({ date, 'retry-after': new Date(now + 20_000).toUTCString() }), 20_000, 'a skewed local clock changes nothing')
  t.equal(rateLimitResetMs({ date, 'x-rate-limit-reset': String(now / 1000 + 30) }), 30_000)
  const before = Date.now()
  t.ok(upstreamNow({ date: 'garbage' }) >= before, 'no usable Date: our clock')
})

t.test('window reset: epoch seconds (Enerflo, Okta) or seconds from now, under either spelling', async (t) => {
  t.equal(rateLimitResetMs({ 'x-ratelimit-reset': '1711037985' }, now), 41_000)
  t.equal(rateLimitResetMs({ 'x-rate-limit-reset': '1711037985' }, now), 41_000, "Okta's spelling")
  t.equal(rateLimitResetMs({ 'x-ratelimit-reset': '20' }, now), 20_000)
  t.equal(rateLimitResetMs({ 'x-ratelimit-reset': '1711037900' }, now), 0, 'a reset in the past is now')
  t.equal(rateLimitResetMs({ 'x-ratelimit-reset': '-1' }, now), undefined)
  t.equal(rateLimitResetMs({ 'x-ratelimit-reset': 'later' }, now), undefined)
  t.equal(rateLimitResetMs({}, now), undefined)
})

t.test('the wait asked for: Retry-After first, else the reset', async (t) => {
  t.equal(askedWaitMs({ 'retry-after': '5', 'x-ratelimit-reset': '1711037985' }, now), 5000)
  t.equal(askedWaitMs({ 'retry-after': 'soon', 'x-ratelimit-reset': '1711037985' }, now), 41_000)
  t.equal(askedWaitMs({}, now), undefined)
})

t.test('remaining requests, under either spelling, never negative', async (t) => {
  t.equal(rateLimitRemaining({ 'x-ratelimit-remaining': '299' }), 299)
  t.equal(rateLimitRemaining({ 'x-rate-limit-remaining': '7.9' }), 7)
  t.equal(rateLimitRemaining({ 'x-ratelimit-remaining': '-2' }), 0)
  t.equal(rateLimitRemaining({ 'x-ratelimit-remaining': 'many' }), undefined)
  t.equal(rateLimitRemaining({}), undefined)
})
