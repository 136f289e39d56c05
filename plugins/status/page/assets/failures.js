/* global document */
/**
 * The Failures and Waiting-to-retry cards: dead letters grouped by what fixes them, each with who,
 * the upstream's words and the command to run once fixed; then the jobs BullMQ will try again.
 */
import { $, clear, el, fmt, relative, when } from './format.js'

const command = (text) => {
  const c = el('code', text)
  c.title = 'run this where the service is installed'
  return c
}

export const renderFailures = (f) => {
  const node = $('failures')
  clear(node)
  const total = f ? f.total : 0
  document.querySelector('[data-k="failures.total"]').textContent = fmt(total)
  if (!f || f.groups.length === 0) { node.append(el('p', 'none: every user\'s latest job went through', 'muted')); return }
  for (const g of f.groups) {
    const box = el('div', undefined, 'group')
    box.dataset.reason = g.reason
    const h = el('h3', g.title + ' — ' + g.count + (g.count === 1 ? ' user' : ' users'))
    h.dataset.k = 'failure.' + g.reason
    const fix = el('p', 'Fix: ' + g.fix + ' ', 'fix')
    fix.dataset.k = 'failure.' + g.reason + '.fix'
    fix.append(command(g.command))
    const ul = el('ul')
    for (const u of g.users) {
      const li = el('li')
      li.dataset.k = 'failure.' + g.reason + '.user'
      li.append(el('strong', u.who || u.userKey), ' ', el('span', (u.who ? u.userKey + ' · ' : '') + relative(Date.parse(u.at)) + ' · ', 'said'),
        el('span', u.message), ' ', command(u.command))
      ul.append(li)
    }
    if (g.count > g.users.length) ul.append(el('li', 'and ' + (g.count - g.users.length) + ' more (node dist/src/cli.js failed --code ' + g.code + ')', 'muted'))
    box.append(h, fix, ul)
    node.append(box)
  }
}

export const renderRetrying = (r) => {
  const node = $('retrying')
  clear(node)
  document.querySelector('[data-k="retrying.total"]').textContent = fmt(r ? r.total : 0)
  if (!r || r.jobs.length === 0) { node.append(el('p', 'none', 'muted')); return }
  const ul = el('ul')
  for (const j of r.jobs) {
    const li = el('li')
    li.dataset.k = 'retrying.job'
    const next = j.nextRunAt ? 'next try ' + when(j.nextRunAt) : 'next try not scheduled'
    li.append(el('strong', j.who || j.userKey), ' ',
      el('span', (j.who ? j.userKey + ' · ' : '') + 'attempt ' + (j.attemptsMade + 1) + ' of ' + j.attempts + ' · ' + next, 'said'),
      j.lastError ? el('span', ' · last error: ' + j.lastError) : '')
    ul.append(li)
  }
  if (r.total > r.jobs.length) ul.append(el('li', 'and ' + (r.total - r.jobs.length) + ' more', 'muted'))
  node.append(ul)
}
