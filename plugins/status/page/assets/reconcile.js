/* global document, fetch, URL, setTimeout */
/**
 * The Reconciliation card: the runs going now (a bar, scanned of total, queued, ETA), when each
 * provider's scheduled incremental and full passes next start, and the last
 * run per source with its counts, duration, state and a failed run's reason, and a button that
 * downloads its CSV report. The report needs the ops token, which a plain link cannot send, so the
 * button fetches it with the token and hands the browser the file as a blob.
 */
import { $, clear, dl, dur, el, fmt, when } from './format.js'

const kind = (r) => r.mode + (r.dryRun ? ', dry run (nothing written)' : '')
const progressText = (r) => {
  const p = r.progress || {}
  const of = p.total === null || p.total === undefined ? ' (counting)' : ' of ' + fmt(p.total)
  const eta = r.etaSeconds === null || r.etaSeconds === undefined ? '' : ' · ETA ' + dur(r.etaSeconds * 1000)
  return 'scanned ' + fmt(p.scanned) + of + ' · queued ' + fmt(p.queued) + eta
}

async function download (button, r, auth, note) {
  button.disabled = true
  try {
    const res = await fetch(r.report, { headers: auth('text/csv'), cache: 'no-store', credentials: 'omit' })
    if (!res.ok) throw new Error('the service answered ' + res.status)
    const url = URL.createObjectURL(await res.blob())
    const a = el('a')
    a.href = url
    a.download = 'reconcile-' + r.source + '-' + r.id + '.csv'
    document.body.append(a)
    a.click()
    a.remove()
    // The browser has taken the file once click() returns; a moment later the URL can go.
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  } catch (err) {
    note('could not download the report: ' + err.message)
  } finally {
    button.disabled = false
  }
}

function runningBox (r) {
  const box = el('div', undefined, 'group')
  box.append(el('h3', r.source + ': running · ' + kind(r)))
  const bar = el('progress')
  if (typeof r.progress.total === 'number' && r.progress.total > 0) {
    bar.max = r.progress.total
    bar.value = Math.min(r.progress.scanned, r.progress.total)
  }
  const text = el('p', progressText(r))
  text.dataset.k = 'reconcile.running.' + r.source
  box.append(bar, text, el('p', 'started ' + when(r.startedAt), 'said'))
  return box
}

function lastBox (r, auth, note) {
  const box = el('div', undefined, 'group')
  box.dataset.source = r.source
  const d = el('dl')
  const counts = Object.keys(r.counts || {}).length === 0 ? 'no users' : fmt(r.counts)
  dl(d, [
    ['state', r.state, 'reconcile.' + r.source + '.state'],
    ['kind', kind(r)],
    ['finished', when(r.finishedAt)],
    ['took', dur(r.durationSeconds * 1000), 'reconcile.' + r.source + '.duration'],
    ['scanned', fmt(r.progress.scanned) + ' of ' + fmt(r.progress.total) + ' · queued ' + fmt(r.progress.queued)],
    ['counts', counts, 'reconcile.' + r.source + '.counts'],
    r.error !== null && ['reason', r.error, 'reconcile.' + r.source + '.error']
  ])
  const button = el('button', 'Download CSV report')
  button.type = 'button'
  button.dataset.k = 'reconcile.' + r.source + '.download'
  button.addEventListener('click', () => { download(button, r, auth, note) })
  box.append(el('h3', r.source + ': last run'), d, button)
  return box
}

/** Each provider's next scheduled passes: "in 12 min · 2 Dec, 14:05 UTC", or off. */
function nextBox (next) {
  const box = el('div', undefined, 'group')
  const d = el('dl')
  const at = (iso) => iso === null ? 'off (its interval is 0)' : when(iso)
  const rows = []
  for (const [source, n] of Object.entries(next)) {
    rows.push([source + ': incremental', at(n.incremental), 'reconcile.next.' + source + '.incremental'])
    rows.push([source + ': full', at(n.full), 'reconcile.next.' + source + '.full'])
  }
  dl(d, rows)
  box.append(el('h3', 'Next scheduled passes'), d)
  return box
}

/** `auth(accept)` gives the request headers with the token; `note` shows a problem in the footer. */
export const renderReconcile = (section, auth, note) => {
  const node = $('reconcile')
  clear(node)
  const s = section || { running: [], last: {} }
  for (const r of s.running) node.append(runningBox(r))
  const last = Object.values(s.last)
  if (s.running.length === 0) {
    const idle = el('p', last.length === 0 ? 'No runs yet: start one with node dist/src/cli.js reconcile --source enerflo --dry-run --wait' : 'No run going.', 'muted')
    idle.dataset.k = 'reconcile.running'
    node.append(idle)
  }
  if (s.next && Object.keys(s.next).length > 0) node.append(nextBox(s.next))
  for (const r of last) node.append(lastBox(r, auth, note))
}
