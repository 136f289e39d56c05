/**
 * The recent-activity card (the last sync outcomes, field names only) and the words the page uses
 * for raw keys and for values that could not be read.
 */
/* global document */
import { $, clear, el, idSpan, when } from './format.js'

/** Shown for a value /status could not read (null with `unknown` saying why): never 0 or "none". */
export const UNKNOWN = 'unknown'

const LABELS = {
  deliveries: 'deliveries',
  'events.user-change': 'user changes',
  'events.duplicate': 'duplicate events',
  'events.ignored': 'events ignored',
  'events.no-user': 'events without a user',
  'jobs.enqueued': 'jobs queued',
  'client-aborted': 'aborted by the sender',
  prioritized: 'prioritised'
}

/** A counter key as words: `events.user-change` → "user changes", else dots and dashes as spaces. */
export const human = (key) => LABELS[key] || String(key).replace(/\./g, ': ').replace(/-/g, ' ')

const OUTCOME = { applied: 'applied', unchanged: 'no change', unresolved: 'no Enerflo user', failed: 'failed', gone: 'deactivated', shadow: 'shadow (not sent)', held: 'held by the brake', discarded: 'discarded' }

export const renderRecent = (s) => {
  const node = $('recent')
  clear(node)
  if (s.recent === null || s.recent === undefined) {
    node.append(el('li', s.recent === null ? UNKNOWN : 'not reported by this service', 'muted'))
    return
  }
  if (s.recent.length === 0) node.append(el('li', 'nothing synced yet', 'muted'))
  for (const r of s.recent) {
    const li = el('li')
    li.dataset.k = 'recent.item'
    li.append(idSpan(r.userKey), ' · ' + (OUTCOME[r.outcome] || r.outcome) + (r.code ? ' (' + r.code + ')' : ''))
    if (r.fields && r.fields.length > 0) li.append(' · ' + r.fields.join(', '))
    li.append(el('span', ' · ' + when(r.at), 'said'))
    node.append(li)
  }
}

/** With Redis down these cards have nothing to show: "unknown", never "0" or "none". */
export const markUnknown = (s) => {
  const sections = (s.unknown && s.unknown.sections) || []
  for (const [name, total] of [['failures', 'failures.total'], ['retrying', 'retrying.total'], ['reconcile']]) {
    if (!sections.includes(name)) continue
    clear($(name))
    $(name).append(el('p', UNKNOWN, 'muted'))
    if (total) document.querySelector('[data-k="' + total + '"]').textContent = UNKNOWN
  }
}
