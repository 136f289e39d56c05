/**
 * Installs the one hardened JSON parser (src/json-body.ts) in a receiver's own context, so every
 * receiver parses the same way: secure-json-parse first, nothing scanned before it, a stable
 * WEBHOOK_BODY 400 for anything that is not JSON.
 */
import type { FastifyInstance } from 'fastify'

export function useJsonParser (app: FastifyInstance, parse: (text: string) => unknown, bodyLimit: number): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parse(body as string))
    } catch (err) {
      done(err as Error, undefined)
    }
  })
}
