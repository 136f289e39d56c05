/**
 * The access log of deliveries (plugins/webhooks/delivery-accounting.ts): a delivery after a quiet
 * second is logged at once; under load one line per source covers every batch of the last
 * LOG_EVERY_MS, and the lines add up to every delivery; what is pending is written on close.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import { startHarness, delivery } from '../helpers/harness.js'
import { flushDeliveries, LOG_EVERY_MS } from '../../plugins/webhooks/delivery-accounting.js'
import { loggerOptions } from '../../src/log.js'
import { waitFor } from '../helpers/wait.js'

interface Line { msg?: string, deliveries?: number, userChanges?: number, jobs?: number, time?: number }

t.test('one access-log line per source per second under load, adding up to every delivery', async (t) => {
  const lines: Line[] = []
  const stream = new Writable({ write (chunk, _enc, cb) { lines.push(JSON.parse(String(chunk)) as Line); cb() } })
  const h = await startHarness(t, { role: 'api', logger: { ...loggerOptions('info'), stream } })
  const accepted = (): Line[] => lines.filter((l) => l.msg === 'okta deliveries accepted')
  const post = async (userId: string): Promise<void> => {
    const res = await h.app.inject({ method: 'POST', url: '/webhooks/okta', headers: { 'content-type': 'application/json', authorization: h.webhookSecret }, payload: delivery([{ type: 'user.account.update_profile', userId }]) })
    t.equal(res.statusCode, 200)
  }

  await post('00ulog0')
  // The first delivery's batch is counted within FLUSH_MS and logged at once: no second to wait.
  await waitFor('the first line', async () => accepted().length, (n) => n === 1)
  t.match(accepted()[0], { deliveries: 1, userChanges: 1, jobs: 1 })

  // A burst inside the next second: its batches wait for one line at the end of that second.
  const burstStart = Date.now()
  for (let i = 1; i <= 30; i++) await post(`00ulog${i}`)
  const burstMs = Date.now() - burstStart
  await waitFor('the burst line', async () => accepted().length, (n) => n >= 2, 5000)
  const total = accepted().reduce((n, l) => n + (l.deliveries ?? 0), 0)
  t.equal(total, 31, 'the lines add up to every delivery')
  if (burstMs < LOG_EVERY_MS / 2) t.equal(accepted().length, 2, 'a burst well inside a second is one line')
  const [first, second] = accepted()
  t.ok((second?.time ?? 0) - (first?.time ?? 0) >= LOG_EVERY_MS - 5, 'no two lines within a second')

  // What is pending when the app closes is written, not dropped.
  await post('00ulogclose')
  await flushDeliveries(h.app)
  t.equal(accepted().reduce((n, l) => n + (l.deliveries ?? 0), 0), 32, 'the pending line is written on close (flush)')
})
