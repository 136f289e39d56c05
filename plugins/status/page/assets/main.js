/* global document, location, history, sessionStorage, fetch, setTimeout, clearTimeout */
/**
 * The status page's script. It keeps the ops token in sessionStorage (or takes it from
 * `#token=…`, which never reaches the server), polls GET /status every 5 s, and draws each card.
 */
import { $, clock } from './format.js'
import { renderCalls, renderHeader, renderQueue, renderRedis, renderService, renderSources } from './cards.js'
import { renderFailures, renderRetrying } from './failures.js'
import { renderHolds } from './holds.js'
import { renderBlocked } from './blocked.js'
import { renderFollowUps } from './follow-ups.js'
import { renderReconcile } from './reconcile.js'
import { markUnknown, renderRecent } from './recent.js'

const KEY = 'enerflo-user-sync.ops-token'
const EVERY_MS = 5000
let timer

/** Request headers with the token, for /status and for the downloads the page makes. */
const auth = (accept) => {
  const token = sessionStorage.getItem(KEY)
  const headers = { accept }
  if (token) headers.authorization = 'Bearer ' + token
  return headers
}

const render = (s) => {
  renderHeader(s)
  renderService(s)
  renderHolds(s.holds)
  renderBlocked(s)
  renderFollowUps(s)
  renderFailures(s.failures)
  renderRetrying(s.retrying)
  renderQueue(s)
  renderCalls(s)
  renderReconcile(s.reconcile, auth, note)
  renderSources(s.sources === undefined ? {} : s.sources)
  renderRedis(s)
  renderRecent(s)
  markUnknown(s)
}

const note = (text) => { $('note').textContent = text || '' }
const showLogin = (message, badge) => {
  clearTimeout(timer)
  // Nothing is loading while the page waits for a person: the badge says what it waits for.
  $('badge').textContent = badge || 'needs token'
  $('badge').className = 'badge unknown'
  document.title = (badge || 'needs token') + ' · enerflo-user-sync'
  $('login').hidden = false
  $('login-msg').textContent = message
  $('token').focus()
}
const schedule = () => { clearTimeout(timer); timer = setTimeout(tick, EVERY_MS) }

async function tick () {
  if (document.hidden) return schedule()
  const token = sessionStorage.getItem(KEY)
  const headers = auth('application/json')
  let res
  let body
  try {
    res = await fetch('/status', { headers, cache: 'no-store', credentials: 'omit' })
    if (res.status === 401) return showLogin(token ? 'That token was refused.' : 'This service needs its ops token.')
    if (res.status === 404) return showLogin('Operator routes are off: set OPS_TOKEN on the service.', 'ops off')
    body = await res.json()
  } catch {
    note('cannot reach the service; showing what it said last')
    return schedule()
  }
  if (!res.ok || !body || typeof body.status !== 'string') {
    note('the service answered ' + res.status + '; showing what it said last')
    return schedule()
  }
  $('login').hidden = true
  $('main').hidden = false
  render(body)
  $('updated').textContent = clock(new Date(), false)
  note('')
  schedule()
}

const m = /(?:^|&)token=([^&]*)/.exec(location.hash.slice(1))
if (m) {
  sessionStorage.setItem(KEY, decodeURIComponent(m[1]))
  // Out of the address bar and the history, so a shared screenshot or URL does not carry it.
  history.replaceState(null, '', location.pathname + location.search)
}
$('login').addEventListener('submit', (ev) => {
  ev.preventDefault()
  sessionStorage.setItem(KEY, $('token').value.trim())
  $('token').value = ''
  tick()
})
$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY)
  $('main').hidden = true
  showLogin('Token forgotten.')
})
document.addEventListener('visibilitychange', () => { if (!document.hidden) tick() })
tick()
