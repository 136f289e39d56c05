/**
 * Headers every answer of this service carries: `nosniff` everywhere (nothing here is meant to be
 * sniffed into HTML), and `no-store` on every operator, status and metrics answer, which carry
 * personal data or internals that no browser or proxy cache should keep.
 */
import fp from 'fastify-plugin'

const PRIVATE = /^\/(?:ops|status|metrics|docs)(?:[/?#]|$)/

export default fp(async (app) => {
  // A callback hook: an async one costs every answer a promise, and makes Fastify wait for the
  // response stream's end (instead of returning at once) when a handler awaits its reply.
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-content-type-options', 'nosniff')
    if (PRIVATE.test(request.url)) void reply.header('cache-control', 'no-store')
    done(null, payload)
  })
}, { name: 'security-headers' })
