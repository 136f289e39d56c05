import t from 'tap'
import { renderStatus } from '../src/cli/status.js'
import { when } from '../src/cli/format.js'

const NOW = Date.parse('2025-06-01T12:00:00.000Z')

t.test('a time ahead reads "in …", a time behind "… ago"', async (t) => {
  t.equal(when('2025-06-30T12:00:00.000Z', NOW), '2025-06-30T12:00:00.000Z (in 29d)')
  t.equal(when('2025-06-01T11:58:00.000Z', NOW), '2025-06-01T11:58:00.000Z (2m ago)')
})

t.test('shadow mode, failures with their fix and who, and retries', async (t) => {
  const text = renderStatus({
    status: 'degraded', mode: 'live', syncMode: 'shadow', role: 'all',
    sources: { graph: { configured: true, lastEventAt: null, subscription: { expiresAt: '2025-06-30T12:00:00.000Z' } } },
    failures: { total: 1, groups: [{ title: 'Enerflo refused the API key', code: 'ENERFLO_REJECTED', fix: 'fix ENERFLO_API_KEY …', command: 'node dist/src/cli.js retry 7', count: 1, users: [{ userKey: 'okta:00urep', who: 'Rey Pep', at: '2025-06-01T11:59:00.000Z', message: 'Enerflo refused the API key (HTTP 401)' }] }] },
    retrying: { total: 1, jobs: [{ userKey: 'okta:00ux', who: null, attemptsMade: 1, attempts: 5, nextRunAt: '2025-06-01T12:00:40.000Z', lastError: 'Enerflo failed on its side (HTTP 503)' }] }
  }, NOW)
  t.match(text.split('\n')[0], /^DEGRADED {2}\(live, SHADOW: nothing is written to Enerflo, role all\)/)
  t.match(text, /Enerflo refused the API key \(ENERFLO_REJECTED\): 1\n {4}fix: fix ENERFLO_API_KEY …\n {4}then: node dist\/src\/cli\.js retry 7\n {4}Rey Pep \(okta:00urep\) {2}2025-06-01T11:59:00\.000Z \(1m ago\) {2}Enerflo refused the API key \(HTTP 401\)/)
  t.match(text, /waiting to retry 1\n {2}okta:00ux {2}attempt 2 of 5 at 2025-06-01T12:00:40\.000Z \(in 40s\) {2}Enerflo failed on its side \(HTTP 503\)/)
  t.notMatch(text, /0s ago\)/, 'the expiry is not "0s ago"')
})

t.test('reconcile: a pass going, and when each provider\'s scheduled passes next start (or off)', async (t) => {
  const now = Date.parse('2026-12-02T10:00:00Z')
  const text = renderStatus({
    status: 'ok',
    reconcile: {
      running: [{ source: 'okta', mode: 'full', progress: { scanned: 1200, total: 5000 } }],
      next: { okta: { incremental: '2026-12-02T10:12:00.000Z', full: '2026-12-03T02:00:00.000Z' }, graph: { incremental: null, full: '2026-12-02T11:00:00.000Z' } }
    }
  }, now)
  const line = text.split('\n').find((l) => l.trimStart().startsWith('reconcile')) ?? ''
  t.match(line, /okta full pass RUNNING \(1200 of 5000\)/)
  t.match(line, /okta next incremental 2026-12-02T10:12:00\.000Z \(in 12m\S*\), full 2026-12-03T02:00:00\.000Z \(in 16h\S*\)/)
  t.match(line, /graph next incremental off, full 2026-12-02T11:00:00\.000Z \(in 1h\S*\)/)
  t.match(renderStatus({ status: 'ok', reconcile: null }, now), /reconcile\s+unknown/, 'unknown when Redis could not say')
  t.notMatch(renderStatus({ status: 'ok' }, now), /reconcile/, 'nothing from a service that has no such section')
})
