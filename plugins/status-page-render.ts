/**
 * The status page's rendering, as browser script text (a fragment of the page script's body; see
 * status-page-script.ts): small DOM helpers and one function per card. Values go in with
 * textContent only, so a name or reason that looks like markup stays text.
 */
export const STATUS_PAGE_RENDER = String.raw`
  const $ = (id) => document.getElementById(id)
  const el = (tag, text, cls) => {
    const e = document.createElement(tag)
    if (text !== undefined) e.textContent = text
    if (cls) e.className = cls
    return e
  }
  const clear = (node) => { while (node.firstChild) node.removeChild(node.firstChild) }
  const dur = (ms) => {
    if (typeof ms !== 'number' || !isFinite(ms)) return '—'
    let s = Math.max(0, Math.round(ms / 1000))
    const parts = [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']].flatMap(([n, u]) => {
      const v = Math.floor(s / n); s -= v * n; return v > 0 ? [v + u] : []
    })
    return parts.slice(0, 2).join(' ') || '0s'
  }
  const fmt = (v) => {
    if (v === null || v === undefined || v === '') return '—'
    if (typeof v === 'boolean') return v ? 'yes' : 'no'
    if (typeof v === 'number') return v.toLocaleString()
    if (Array.isArray(v)) return v.map(fmt).join(', ') || '—'
    if (typeof v === 'object') return Object.entries(v).map(([k, x]) => k + ' ' + fmt(x)).join(', ') || '—'
    return String(v)
  }
  const when = (iso) => {
    if (typeof iso !== 'string') return '—'
    const d = new Date(iso)
    return isNaN(d.getTime()) ? iso : d.toLocaleString() + ' (' + dur(Date.now() - d.getTime()) + ' ago)'
  }
  // rows: [label, value, key?]; the key becomes data-k so people and tests can find a value.
  const dl = (id, rows) => {
    const node = $(id)
    clear(node)
    for (const row of rows) {
      if (!row) continue
      const dd = el('dd', fmt(row[1]))
      if (row[2]) dd.dataset.k = row[2]
      node.append(el('dt', row[0]), dd)
    }
  }
  const list = (id, items, empty) => {
    const node = $(id)
    clear(node)
    if (items.length === 0) node.append(el('li', empty, 'muted'))
    for (const item of items) node.append(el('li', item))
  }

  const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed']
  const render = (s) => {
    const q = s.queue || {}
    const e = s.enerflo || {}
    const b = e.budget || {}
    const r = s.redis || {}
    const status = ['ok', 'degraded', 'down'].includes(s.status) ? s.status : 'unknown'
    $('badge').textContent = status
    $('badge').className = 'badge ' + status
    document.title = status + ' · enerflo-user-sync'
    list('reasons', (s.reasons || []).map(String), 'Nothing needs attention: changes flow.')
    dl('meta', [['mode', s.mode, 'mode'], ['role', s.role], ['version', s.version, 'version'], ['uptime', dur((s.uptimeSeconds || 0) * 1000)]])
    const extra = Object.keys(q).filter((k) => k !== 'oldestWaitingAgeMs' && !QUEUE_STATES.includes(k))
    dl('queue', [
      ...QUEUE_STATES.concat(extra).filter((k) => k in q).map((k) => [k, q[k], 'queue.' + k]),
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
    const ok = e.lastSuccess
    const bad = e.lastFailure
    dl('last', [
      ['last success', ok ? ok.userKey : 'none yet', 'last.success'],
      ok && ['at', when(ok.at)],
      ok && ['fields', ok.fields],
      ['last failure', bad ? bad.userKey : 'none', 'last.failure'],
      bad && ['at', when(bad.at)],
      bad && ['reason', (bad.code ? bad.code + ': ' : '') + (bad.message || ''), 'last.failure.reason'],
      ...Object.entries(s.sync || {}).map(([k, v]) => ['sync ' + k, v, 'sync.' + k])
    ])
    renderSources(s.sources || {})
    const u = s.unresolved || { count: 0, users: [] }
    $('unresolved-count').textContent = fmt(u.count)
    list('unresolved', (u.users || []).map((x) => x.userKey + ' · since ' + when(x.since)), 'none')
    dl('redis', [
      ['reachable', r.reachable, 'redis.reachable'],
      ['latency', typeof r.latencyMs === 'number' ? r.latencyMs.toFixed(1) + ' ms' : '—'],
      ['eviction policy', r.maxmemoryPolicy],
      ['AOF', r.aof],
      'persistence' in r && ['persistence', r.persistence],
      ['version', r.version]
    ])
  }
  const renderSources = (sources) => {
    const node = $('sources')
    clear(node)
    for (const [name, src] of Object.entries(sources)) {
      node.append(el('h3', name + (src.configured === false ? ' (off)' : '')))
      const d = el('dl')
      d.id = 'source-' + name.replace(/[^a-z0-9_-]/gi, '_')
      node.append(d)
      const rejected = src.rejected && typeof src.rejected === 'object' ? Object.entries(src.rejected) : []
      dl(d.id, [
        ['last event', when(src.lastEventAt)],
        ...Object.entries(src.counts || {}).map(([k, v]) => [k, v, name + '.' + k]),
        ...(typeof src.rejected === 'number' ? [['rejected', src.rejected]] : []),
        ...rejected.map(([k, v]) => ['rejected: ' + k, v, name + '.rejected.' + k]),
        ...Object.entries(src.subscription || {}).map(([k, v]) => ['subscription ' + k, /At$/.test(k) ? when(v) : v])
      ])
    }
    if (!node.firstChild) node.append(el('p', 'no sources', 'muted'))
  }
`
