/* global document */
/**
 * Small DOM and text helpers for the status page (plain ES2020 modules: the browser runs these
 * files as they are). Values go in with textContent only, so a name or reason that looks like
 * markup stays text.
 */
export const $ = (id) => document.getElementById(id)

export const el = (tag, text, cls) => {
  const e = document.createElement(tag)
  if (text !== undefined) e.textContent = text
  if (cls) e.className = cls
  return e
}

export const clear = (node) => { while (node.firstChild) node.removeChild(node.firstChild) }

/** A length of time, two units at most: "3m 2s", "29d 4h". */
export const dur = (ms) => {
  if (typeof ms !== 'number' || !isFinite(ms)) return '—'
  let s = Math.max(0, Math.round(ms / 1000))
  const parts = [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']].flatMap(([n, u]) => {
    const v = Math.floor(s / n); s -= v * n; return v > 0 ? [v + u] : []
  })
  return parts.slice(0, 2).join(' ') || '0s'
}

export const fmt = (v) => {
  if (v === null || v === undefined || v === '') return '—'
  if (typeof v === 'boolean') return v ? 'yes' : 'no'
  if (typeof v === 'number') return v.toLocaleString()
  if (Array.isArray(v)) return v.map(fmt).join(', ') || '—'
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => k + ' ' + fmt(x)).join(', ') || '—'
  return String(v)
}

/** "in 29 d", "5 m ago", "just now": one rounded unit, which is what a glance needs. */
export const relative = (t, now = Date.now()) => {
  const diff = t - now
  const abs = Math.abs(diff)
  if (abs < 1000) return 'just now'
  const [n, u] = [[86400000, 'd'], [3600000, 'h'], [60000, 'min'], [1000, 's']].find(([n]) => abs >= n)
  const v = Math.round(abs / n)
  return diff > 0 ? 'in ' + v + ' ' + u : v + ' ' + u + ' ago'
}

/** A clock time with its zone named ("14:05 UTC", "14:05 CET"): a bare time is ambiguous across offices. */
export const clock = (d, withDate) => d.toLocaleString(undefined, {
  ...(withDate && { day: 'numeric', month: 'short' }), hour: '2-digit', minute: '2-digit', timeZoneName: 'short'
})

/** An ISO time as "in 29 d · 3 Jun, 14:05 UTC": short enough not to wrap, the relative part first. */
export const when = (iso) => {
  if (typeof iso !== 'string') return '—'
  const d = new Date(iso)
  if (isNaN(d.getTime())) return iso
  return relative(d.getTime()) + ' · ' + clock(d, true)
}

/** An id (user key, job id) as one unbreakable token, cut with an ellipsis; the title has it whole. */
export const idSpan = (text) => {
  const s = el('span', text, 'id')
  s.title = text
  return s
}

/** rows: [label, value, key?, cls?]; the key becomes data-k so people and tests can find a value. */
export const dl = (node, rows) => {
  if (typeof node === 'string') node = $(node)
  clear(node)
  for (const row of rows) {
    if (!row) continue
    const dd = el('dd', fmt(row[1]), row[3])
    if (row[3] === 'id') dd.title = fmt(row[1])
    if (row[2]) dd.dataset.k = row[2]
    node.append(el('dt', row[0]), dd)
  }
}

export const list = (id, items, empty) => {
  const node = $(id)
  clear(node)
  if (items.length === 0) node.append(el('li', empty, 'muted'))
  for (const item of items) node.append(typeof item === 'string' ? el('li', item) : item)
}
