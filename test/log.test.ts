import t from 'tap'
import { Writable } from 'node:stream'
import pino from 'pino'
import { loggerOptions, scrub } from '../src/log.js'

t.test('scrub removes emails and North American phone numbers, and leaves ids and addresses', async (t) => {
  t.equal(scrub('Enerflo says the email jane.doe+x@example.co.uk is taken'), 'Enerflo says the email [email] is taken')
  for (const phone of ['555-555-5555', '(555) 555-5555', '+1 555 555 5555', '5555555555', '1-602-555-0101']) {
    t.equal(scrub(`call ${phone} now`), 'call [phone] now', phone)
  }
  for (const keep of ['http://127.0.0.1:3111', 'okta:00usampatel000000001', 'took 1795954059335 ms', 'office 101']) {
    t.equal(scrub(keep), keep, keep)
  }
})

t.test('the logger redacts secrets and scrubs personal data in objects and messages', async (t) => {
  const lines: string[] = []
  const sink = new Writable({ write (chunk, _enc, cb) { lines.push(String(chunk)); cb() } })
  const log = pino(loggerOptions('info'), sink)
  log.info({ headers: { authorization: 'SSWS secret-token-value' }, err: { message: 'bad email a@b.io' }, nested: { deeper: ['602-555-0101'] } }, 'user x@y.com phone (602) 555-0101')
  const out = lines.join('')
  t.notMatch(out, 'secret-token-value')
  t.notMatch(out, 'a@b.io')
  t.notMatch(out, 'x@y.com')
  t.notMatch(out, '555-0101')
  t.match(out, '[redacted]')
})
