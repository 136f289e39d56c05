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

t.test('a request logger is built on its first line, and its lines carry the request id as before', async (t) => {
  const { default: Fastify } = await import('fastify')
  const { lazyChildLogger } = await import('../src/log.js')
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk, _enc, cb) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); cb() } })
  const root = pino(loggerOptions('info'), sink)
  let children = 0
  const child = root.child.bind(root)
  root.child = ((...args: Parameters<typeof root.child>) => { children++; return child(...args) }) as typeof root.child
  const app = Fastify({ loggerInstance: root, childLoggerFactory: lazyChildLogger, disableRequestLogging: true })
  t.teardown(async () => { await app.close() })
  app.get('/quiet', async (request) => { request.log.debug('not at info'); return { ok: request.log.isLevelEnabled('info') && !request.log.isLevelEnabled('debug') } })
  app.get('/talks', async (request) => { request.log.info({ n: 1 }, 'one'); request.log.warn('two'); return 'ok' })
  app.get('/verbose', { logLevel: 'debug' }, async (request) => { request.log.debug('a route at debug'); return 'ok' })

  await app.ready()
  children = 0 // Fastify's own at start (a route with a logLevel has one)
  const quiet = await app.inject('/quiet')
  t.same(quiet.json(), { ok: true }, 'levels read through the lazy logger')
  t.equal(children, 0, 'no child logger for a request that wrote nothing')
  t.equal(lines.length, 0)

  await app.inject('/talks')
  t.equal(children, 1, 'one child for a request that wrote two lines')
  t.same(lines.map((l) => [l['msg'], l['n'], typeof l['reqId']]), [['one', 1, 'string'], ['two', undefined, 'string']], 'both lines, with the request id bound')
  t.equal(lines[0]?.['reqId'], lines[1]?.['reqId'], 'the same request id on both')

  await app.inject('/verbose')
  t.equal(lines.at(-1)?.['msg'], 'a route at debug', 'a route logLevel still applies (its child is built at once)')
})
