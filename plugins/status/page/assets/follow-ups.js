/**
 * The Follow-ups card: work Enerflo asks of a person after a write the service made (a Project
 * Manager removed: remove them as a project contact on their installs), each with the user and
 * Enerflo's recipe, shown until an operator marks it done.
 */
import { $, clear, el, idSpan, when } from './format.js'

const CLI = 'enerflo-user-sync'

export const renderFollowUps = (s) => {
  // Redis down: the section is listed as unknown, never drawn as "none".
  const f = ((s.unknown && s.unknown.sections) || []).includes('followUps') ? null : s.followUps
  const node = $('follow-ups')
  clear(node)
  $('follow-ups-card').classList.toggle('alert', Boolean(f && f.open > 0))
  if (f === null) { node.append(el('p', 'unknown', 'muted')); return }
  if (f === undefined) { node.append(el('p', 'not reported by this service', 'muted')); return }
  if (!f.open) { node.append(el('p', 'none: nothing Enerflo asks of a person', 'muted')); return }
  const head = el('p', f.open + (f.open === 1 ? ' follow-up waits' : ' follow-ups wait') + ' for an operator: remove each user as a project contact on their installs in Enerflo')
  head.dataset.k = 'followUps.open'
  const ul = el('ul')
  for (const u of f.items || []) {
    const li = el('li')
    li.dataset.k = 'followUps.item'
    li.append(el('strong', u.id), ' ', idSpan(u.userKey), ' (Enerflo ' + u.enerfloId + ', ' + u.who + '): ' + u.role + ' removed ' + when(u.createdAt) + ' · recipe "' + u.recipe + '"')
    ul.append(li)
  }
  const fix = el('p', 'Each one\'s steps and Enerflo\'s links: ', 'fix')
  fix.dataset.k = 'followUps.fix'
  const c = el('code', CLI + ' follow-ups')
  c.title = 'run this where the service is installed'
  fix.append(c, '; when done: ', el('code', CLI + ' follow-ups done <id>'), '.')
  node.append(head, ul, fix)
}
