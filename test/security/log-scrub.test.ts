/**
 * The logger's last line of defence, unit by unit: request URLs (percent-encoded addresses,
 * credentials in query strings), errors carrying raw bytes, and values nested deeper than the
 * scrubber walks.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import pino from 'pino'
import { loggerOptions, scrubUrl } from '../../src/log.js'

function capture (): { log: pino.Logger, text: () => string } {
  const lines: string[] = []
  const sink = new Writable({ write (chunk, _enc, cb) { lines.push(String(chunk)); cb() } })
  return { log: pino(loggerOptions('trace'), sink), text: () => lines.join('') }
}

t.test('scrubUrl: addresses and numbers, encoded or not; credential-named query values', async (t) => {
  t.equal(scrubUrl('/ops/users/graph/jane.doe%40example.com?reveal=true'), '/ops/users/graph/[email]?reveal=true')
  t.equal(scrubUrl('/ops/users/graph/jane.doe@example.com'), '/ops/users/graph/[email]')
  t.equal(scrubUrl('/x?phone=%28602%29%20555-0101'), '/x?phone=[phone]')
  t.equal(scrubUrl('/status?token=abc123&limit=5'), '/status?token=[redacted]&limit=5')
  t.equal(scrubUrl('/x?api_key=k&Authorization=s&clientState=c&sig=z'), '/x?api_key=[redacted]&Authorization=[redacted]&clientState=[redacted]&sig=[redacted]')
  t.equal(scrubUrl('/x?%ff=1&a=%zz'), '/x?%ff=1&a=%zz', 'broken escapes are kept as sent')
  t.equal(scrubUrl('/ops/failed?since=2024-01-01T00%3A00%3A00Z&limit=50'), '/ops/failed?since=2024-01-01T00%3A00%3A00Z&limit=50', 'a URL without personal data is logged as sent')
  t.equal(scrubUrl('/ops/users/okta/00u1a2b3c4d5e6f7g8h9'), '/ops/users/okta/00u1a2b3c4d5e6f7g8h9')
})

t.test('the logger: URLs of requests, errors with raw bytes, deep values', async (t) => {
  const { log, text } = capture()
  log.info({ req: { method: 'GET', url: '/ops/users/graph/jane%40example.com?token=s3cr3t-value', host: 'h', ip: '10.0.0.1', socket: { remotePort: 1 } } }, 'incoming request')
  const err = Object.assign(new Error('Parse Error for jane@example.com', { cause: new Error('because of 602-555-0101') }), { code: 'HPE_X', rawPacket: Buffer.from('authorization: s3cr3t-value\r\n') })
  log.trace({ err }, 'client error')
  log.info({ a: { b: { c: { d: { e: { f: 'call 602-555-0101 or mail jo@example.com' } } } } } }, 'deep')
  log.info({ bytes: new Uint8Array([115, 51, 99, 114, 51, 116]) }, 'bytes')
  const out = text()
  t.notMatch(out, 's3cr3t', 'no credential, from the URL or the raw packet')
  t.notMatch(out, /jane|jo@example|555-0101/, 'no address or number, however deep')
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  t.match(lines[0], { req: { method: 'GET', url: '/ops/users/graph/[email]?token=[redacted]', remoteAddress: '10.0.0.1' } })
  t.match(lines[1], { err: { type: 'Error', message: 'Parse Error for [email]: because of [phone]', code: 'HPE_X', rawPacket: /^\[\d+ bytes\]$/, stack: /Parse Error for \[email\]/ } })
  t.match(lines[3], { bytes: '[6 bytes]' })
})
