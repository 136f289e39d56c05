/**
 * The Held-by-the-brake card: the open hold (there is at most one), why it began, how many users'
 * destructive changes it keeps back and since when, and the commands that release or discard it.
 * Someone must say yes or no to it, so it is drawn near the top; nothing here acts by itself.
 */
import { $, clear, el, fmt, when } from './format.js'

const CLI = 'enerflo-user-sync'

const command = (text) => {
  const c = el('code', text)
  c.title = 'run this where the service is installed'
  return c
}

export const renderHolds = (h) => {
  const node = $('holds')
  clear(node)
  const card = $('holds-card')
  card.classList.toggle('alert', Boolean(h && h.open))
  // Redis down: null (unknown), never "nothing held". An older service sends no section at all.
  if (h === null) { node.append(el('p', 'unknown', 'muted')); return }
  if (h === undefined) { node.append(el('p', 'not reported by this service', 'muted')); return }
  if (!h.open) { node.append(el('p', 'none: the brake holds nothing', 'muted')); return }
  const head = el('h3', 'Hold ' + h.open + ' — ' + fmt(h.waiting) + (h.waiting === 1 ? ' user' : ' users') + ' waiting for a person')
  head.dataset.k = 'holds.open'
  const reason = el('p', h.reason || 'no reason recorded')
  reason.dataset.k = 'holds.reason'
  const since = el('p', 'since ' + when(h.since), 'said')
  since.dataset.k = 'holds.since'
  const review = el('p', 'Review who and what: ', 'fix')
  review.append(command(CLI + ' holds'), ' (or GET /ops/holds).')
  const act = el('p', 'Release applies each held change as the provider says now ', 'fix')
  act.dataset.k = 'holds.hint'
  act.append(command(CLI + ' holds release ' + h.open), '; discard applies none of them ', command(CLI + ' holds discard ' + h.open),
    '. Add --dry-run to either to look first. The users\' other changes were not held.')
  node.append(head, reason, since, review, act)
}
