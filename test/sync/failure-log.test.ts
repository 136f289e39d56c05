import t from 'tap'
import { startRedis } from '../helpers/redis.js'
import { createFailureLog } from '../../src/sync/failure-log.js'
import { parseFailure as splitReason } from '../../src/sync/failure-reason.js'
import { adviceFor, retryCommand } from '../../src/sync/failure-advice.js'

t.test('one entry per user, the newest kept, the oldest dropped past the bound', async (t) => {
  const redis = await startRedis(t)
  const client = redis.client()
  t.teardown(() => client.disconnect())
  const log = createFailureLog(client, 'fl', 3)
  const at = (s: number): string => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString()
  for (let i = 0; i < 5; i++) await log.record({ at: at(i), jobId: String(i), userKey: `okta:u${i}`, code: 'ENERFLO_REJECTED', message: `m${i}`, attempts: 1 })
  t.same((await log.recent()).map((e) => e.userKey), ['okta:u4', 'okta:u3', 'okta:u2'], 'newest first, bounded')
  await log.record({ at: at(9), jobId: '9', userKey: 'okta:u3', code: 'INTERNAL', message: 'again', attempts: 2 })
  t.same((await log.recent()).map((e) => [e.userKey, e.jobId]), [['okta:u3', '9'], ['okta:u4', '4'], ['okta:u2', '2']], 'a user\'s latest failure replaces its earlier one')
  await log.clear('okta:u4')
  t.same((await log.recent()).map((e) => e.userKey), ['okta:u3', 'okta:u2'])
  t.equal(await client.hlen('fl:failures'), 2)
})

t.test('reasons split and advice', async (t) => {
  t.same(splitReason('ENERFLO_REJECTED: Enerflo refused the API key (HTTP 401); check ENERFLO_API_KEY'), { code: 'ENERFLO_REJECTED', message: 'Enerflo refused the API key (HTTP 401); check ENERFLO_API_KEY' })
  t.same(splitReason('socket hang up'), { code: 'INTERNAL', message: 'socket hang up' })
  const cases: Array<[string, string, string]> = [
    ['ENERFLO_REJECTED', 'Enerflo refused the API key (HTTP 401); check ENERFLO_API_KEY', 'enerflo-api-key'],
    ['ENERFLO_REJECTED', 'Enerflo refused to remove the Setter role from user 503: surveys or appointments are still attributed', 'enerflo-role-in-use'],
    ['ENERFLO_REJECTED', 'Enerflo has no user with id 9: the stored link …', 'enerflo-no-such-user'],
    ['ENERFLO_REJECTED', 'Enerflo says the email a@b.c is already taken by another user', 'enerflo-email-taken'],
    ['ENERFLO_REJECTED', 'Enerflo rejected the roles of user 5: bad; use Enerflo Role Names', 'enerflo-roles'],
    ['ENERFLO_REJECTED', 'Enerflo rejected the update of user 5 (HTTP 400): no reason given', 'enerflo-rejected'],
    ['ENERFLO_UNAVAILABLE', 'Enerflo failed on its side (HTTP 503)', 'enerflo-unavailable'],
    ['ENERFLO_HTTP', 'Enerflo answered HTTP 301; check ENERFLO_BASE_URL', 'enerflo-url'],
    ['OKTA_HTTP', 'Okta refused the API token (401): check OKTA_API_TOKEN', 'okta-token'],
    ['GRAPH_HTTP', 'Graph refused the app (403): check GRAPH_TENANT_ID', 'graph-credentials'],
    ['INTERNAL', 'boom', 'internal']
  ]
  for (const [code, message, reason] of cases) t.equal(adviceFor(code, message).reason, reason, `${code}: ${message}`)
  t.match(adviceFor('ENERFLO_REJECTED', 'Enerflo refused the API key (HTTP 401)').fix, /fix ENERFLO_API_KEY/)
  t.equal(retryCommand(['7', '9'], 'X'), 'node dist/src/cli.js retry 7 9')
  t.equal(retryCommand(Array.from({ length: 11 }, (_, i) => String(i)), 'ENERFLO_REJECTED'), 'node dist/src/cli.js retry --code ENERFLO_REJECTED', 'too many ids: by code')
})
