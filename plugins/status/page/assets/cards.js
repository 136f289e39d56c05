/* global document */
/**
 * One function per card of the status page, each drawing from one /status reply.
 */
import { $, clear, dl, dur, el, fmt, idSpan, list, when } from './format.js'
import { UNKNOWN, human } from './recent.js'

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed']
// Short labels: a long one would take the room the value needs.
const SUBSCRIPTION = { managed: 'managed', id: 'subscription', expiresAt: 'expires', lastRenewalAt: 'renewed', lastNotificationAt: 'last notification', lastMissedAt: 'last missed', lastLifecycleEvent: 'lifecycle event', lastError: 'last error' }

export const renderHeader = (s) => {
  const status = ['ok', 'degraded', 'down'].includes(s.status) ? s.status : 'unknown'
  $('badge').textContent = status
  $('badge').className = 'badge ' + status
  // Shadow mode writes nothing to Enerflo: whoever looks must see that before anything else.
  const shadow = s.syncMode === 'shadow'
  $('sync-mode').hidden = !shadow
  $('sync-mode').textContent = shadow ? 'shadow: nothing is written to Enerflo' : ''
  document.title = (shadow ? 'shadow · ' : '') + status + ' · enerflo-user-sync'
}

export const renderService = (s) => {
  list('reasons', (s.reasons || []).map(String), 'Nothing needs attention: changes flow.')
  $('unknown').hidden = !s.unknown
  $('unknown').textContent = s.unknown ? 'Unknown: ' + (s.unknown.sections || []).map(human).join(', ') + '. ' + s.unknown.reason : ''
  dl('meta', [
    ['mode', s.mode, 'mode'],
    ['sync mode', s.syncMode === 'shadow' ? 'shadow (plans only, writes nothing)' : s.syncMode, 'syncMode'],
    ['role', s.role], ['version', s.version, 'version'], ['uptime', dur((s.uptimeSeconds || 0) * 1000)]
  ])
}

// The receivers' stored deliveries, which the delivery worker turns into the jobs counted above.
const QUEUE_LABELS = { deliveries: 'deliveries not yet fanned out', deliveriesFailed: 'deliveries never fanned out' }

export const renderQueue = (s) => {
  if (s.queue === null) dl('queue', [['jobs', UNKNOWN, 'queue.waiting']])
  if (s.enerflo === null) dl('budget', [['used', UNKNOWN, 'budget.used'], ['drain ETA', UNKNOWN, 'drainEta']])
  if (s.queue === null || s.enerflo === null) return
  const q = s.queue || {}
  const b = (s.enerflo || {}).budget || {}
  const extra = Object.keys(q).filter((k) => k !== 'oldestWaitingAgeMs' && !QUEUE_STATES.includes(k))
  dl('queue', [
    ...QUEUE_STATES.concat(extra).filter((k) => k in q).map((k) => [QUEUE_LABELS[k] || human(k), q[k], 'queue.' + k]),
    ['oldest waiting', q.oldestWaitingAgeMs === null ? 'none' : dur(q.oldestWaitingAgeMs), 'queue.oldest']
  ])
  const eta = s.drainEtaSeconds
  dl('budget', [
    ['used', fmt(b.used) + ' / ' + fmt(b.limit), 'budget.used'],
    ['limit', b.limit, 'budget.limit'],
    ['remaining', b.remaining, 'budget.remaining'],
    ['window', dur(b.windowMs)],
    ['paused until', b.pausedUntil ? when(b.pausedUntil) : 'not paused', 'budget.paused'],
    ['drain ETA', eta === undefined || eta === null ? '—' : eta === 0 ? 'nothing waiting' : dur(eta * 1000), 'drainEta']
  ])
}

export const renderCalls = (s) => {
  if (s.enerflo === null) return dl('last', [['last success', UNKNOWN, 'last.success'], ['last failure', UNKNOWN, 'last.failure']])
  const e = s.enerflo || {}
  const ok = e.lastSuccess
  const bad = e.lastFailure
  dl('last', [
    ['last success', ok ? ok.userKey : 'none yet', 'last.success', ok && 'id'],
    ok && ['at', when(ok.at)],
    ok && ['fields', ok.fields],
    ['last failure', bad ? bad.userKey : 'none', 'last.failure', bad && 'id'],
    bad && ['at', when(bad.at)],
    bad && ['reason', (bad.code ? bad.code + ': ' : '') + (bad.message || ''), 'last.failure.reason'],
    ...Object.entries(s.sync || {}).map(([k, v]) => ['synced: ' + human(k), v, 'sync.' + k])
  ])
}

// SCIM: what the providers pushed, and writes whose sync job the sweeper has still to queue.
const STORE = { users: 'users pushed', groups: 'groups pushed', unqueued: 'writes not yet queued' }

export const renderSources = (sources) => {
  const node = $('sources')
  clear(node)
  if (sources === null) return node.append(el('p', UNKNOWN, 'muted'))
  for (const [name, src] of Object.entries(sources)) {
    // A source that is off is one line, not a card's worth of dashes.
    if (src.configured === false) { node.append(el('p', name + ': off', 'muted')); continue }
    const box = el('div')
    box.dataset.source = name
    const d = el('dl')
    box.append(el('h3', name), d)
    node.append(box)
    const rejected = src.rejected && typeof src.rejected === 'object' ? Object.entries(src.rejected) : []
    dl(d, [
      ['last event', when(src.lastEventAt), name + '.lastEvent'],
      ...Object.entries(src.counts || {}).filter(([k]) => !k.startsWith('rejected.')).map(([k, v]) => [human(k), v, name + '.' + k]),
      ...(typeof src.rejected === 'number' ? [['rejected', src.rejected]] : []),
      ...rejected.map(([k, v]) => ['rejected: ' + human(k), v, name + '.rejected.' + k]),
      ...Object.entries(src.subscription || {}).map(([k, v]) => [SUBSCRIPTION[k] || k, /At$/.test(k) ? when(v) : v, name + '.subscription.' + k]),
      ...Object.entries(src.store || {}).map(([k, v]) => [STORE[k] || k, v, name + '.store.' + k])
    ])
  }
  if (!node.firstChild) node.append(el('p', 'no sources', 'muted'))
}

export const renderRedis = (s) => {
  const r = s.redis || {}
  const u = s.unresolved || { count: 0, users: [] }
  $('unresolved-count').textContent = s.unresolved === null ? UNKNOWN : fmt(u.count)
  list('unresolved', (u.users || []).map((x) => {
    const li = el('li')
    li.append(idSpan(x.userKey), ' · since ' + when(x.since))
    return li
  }), s.unresolved === null ? UNKNOWN : 'none')
  dl('redis', [
    ['reachable', r.reachable, 'redis.reachable'],
    ['latency', typeof r.latencyMs === 'number' ? r.latencyMs.toFixed(1) + ' ms' : r.latencyMs === null ? UNKNOWN : '—', 'redis.latency'],
    ['eviction policy', r.reachable === false ? UNKNOWN : r.maxmemoryPolicy],
    ['AOF', r.reachable === false ? UNKNOWN : r.aof],
    'persistence' in r && ['persistence', r.persistence],
    ['version', r.reachable === false ? UNKNOWN : r.version]
  ])
}
