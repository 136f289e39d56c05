/**
 * The Blocked-role-removals card: users who keep a role Enerflo will not remove while surveys or
 * appointments are attributed to them (everything else about them was sent), each with the roles
 * and the next try, and what ends it: reassigning the leads in Enerflo.
 */
import { $, clear, el, idSpan, when } from './format.js'

const CLI = 'enerflo-user-sync'

export const renderBlocked = (s) => {
  // Redis down: the section is listed as unknown, never drawn as "none".
  const b = ((s.unknown && s.unknown.sections) || []).includes('blockedRemovals') ? null : s.blockedRemovals
  const node = $('blocked')
  clear(node)
  const card = $('blocked-card')
  card.classList.toggle('alert', Boolean(b && b.count > 0))
  // Redis down: null (unknown), never "none". An older service sends no section at all.
  if (b === null) { node.append(el('p', 'unknown', 'muted')); return }
  if (b === undefined) { node.append(el('p', 'not reported by this service', 'muted')); return }
  if (!b.count) { node.append(el('p', 'none: Enerflo refuses no role removal', 'muted')); return }
  const head = el('p', b.count + (b.count === 1 ? ' user keeps' : ' users keep') + ' a role Enerflo will not remove while leads are attributed (everything else was sent)')
  head.dataset.k = 'blocked.count'
  const ul = el('ul')
  for (const u of b.users || []) {
    const li = el('li')
    li.dataset.k = 'blocked.user'
    li.append(idSpan(u.userKey), ' (Enerflo ' + u.enerfloId + '): ' + (u.roles || []).join(', ') + ' · next try ' + when(u.nextRetryAt))
    ul.append(li)
  }
  const fix = el('p', 'Reassign their surveys and appointments in Enerflo; the removal is tried again by itself, or now with ', 'fix')
  fix.dataset.k = 'blocked.fix'
  const c = el('code', CLI + ' blocked --retry')
  c.title = 'run this where the service is installed'
  fix.append(c, '. ', el('code', CLI + ' blocked'), ' shows Enerflo\'s words for each.')
  node.append(head, ul, fix)
}
