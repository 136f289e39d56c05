/**
 * The status page as one self-contained HTML document: no data in it (the browser fetches
 * /status with the ops token), no external assets, inline CSS and script pinned by their SHA-256
 * in the Content-Security-Policy, so nothing else can run or load even if data ever slipped
 * through as markup.
 */
import { createHash } from 'node:crypto'
import { STATUS_PAGE_SCRIPT } from './status-page-script.js'

const STYLE = `
:root { color-scheme: light dark; --bg: #f6f7f9; --card: #fff; --fg: #1b1f24; --muted: #5b6570; --line: #dde1e6;
  --ok: #1a7f37; --degraded: #9a6700; --down: #cf222e }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --card: #161b22; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --ok: #3fb950; --degraded: #d29922; --down: #f85149 }
}
* { box-sizing: border-box }
[hidden] { display: none !important }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg) }
header, main, footer, form { max-width: 1000px; margin: 0 auto; padding: 12px 16px }
header { display: flex; align-items: center; gap: 12px; flex-wrap: wrap }
h1 { font-size: 1.15rem; margin: 0 }
h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 0 0 8px }
h3 { font-size: .95rem; margin: 10px 0 4px }
.badge { font-weight: 700; text-transform: uppercase; padding: 2px 10px; border-radius: 999px; color: #fff; background: var(--muted) }
.badge.ok { background: var(--ok) } .badge.degraded { background: var(--degraded) } .badge.down { background: var(--down) }
.grid { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)) }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0 }
.card.wide { grid-column: 1 / -1 }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 }
dt { color: var(--muted) }
dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere }
ul { margin: 0; padding-left: 18px } li { overflow-wrap: anywhere }
.muted { color: var(--muted); list-style: none; margin-left: -18px }
footer { color: var(--muted); font-size: .85rem; display: flex; gap: 12px; flex-wrap: wrap; align-items: center }
#note { color: var(--degraded) }
form { display: grid; gap: 8px; max-width: 420px }
input, button { font: inherit; padding: 8px 10px; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--fg) }
button { cursor: pointer }
`

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

/** connect-src 'self' lets the script call /status and nothing else; no frames, forms or bases. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(STATUS_PAGE_SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>enerflo-user-sync status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header><h1>enerflo-user-sync</h1><span id="badge" class="badge">loading</span></header>
<form id="login" hidden>
  <label for="token">Ops token (OPS_TOKEN of the service; kept in this tab only)</label>
  <input id="token" type="password" autocomplete="off" spellcheck="false" required>
  <button type="submit">Show status</button>
  <p id="login-msg" class="muted"></p>
</form>
<main id="main" hidden>
  <div class="grid">
    <section class="card wide"><h2>Status</h2><ul id="reasons"></ul></section>
    <section class="card"><h2>Service</h2><dl id="meta"></dl></section>
    <section class="card"><h2>Queue</h2><dl id="queue"></dl></section>
    <section class="card"><h2>Enerflo budget</h2><dl id="budget"></dl></section>
    <section class="card"><h2>Enerflo calls</h2><dl id="last"></dl></section>
    <section class="card"><h2>Sources</h2><div id="sources"></div></section>
    <section class="card"><h2>Unresolved users: <span id="unresolved-count" data-k="unresolved.count"></span></h2><ul id="unresolved"></ul></section>
    <section class="card"><h2>Redis</h2><dl id="redis"></dl></section>
  </div>
</main>
<footer>
  <span>updated <span id="updated" data-k="updated">never</span>; refreshes every 5 s</span>
  <span id="note" role="status"></span>
  <button id="forget" type="button">Forget token</button>
</footer>
<script>${STATUS_PAGE_SCRIPT}</script>
</body>
</html>
`
