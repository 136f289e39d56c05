/**
 * The status page for people: GET /ops serves a static shell (no data, so no auth) whose script
 * asks for the ops token and polls GET /status. A browser that opens /status itself (it prefers
 * text/html over JSON) is redirected to /ops; curl, scripts and the page's own fetch get JSON.
 *
 * The shell, its style sheet and its scripts are real files in plugins/status/page/, served by
 * @fastify/static. The build copies them beside the compiled code (dist/plugins/status/page/), so
 * the same relative path finds them from source (tsx) and from dist/. Nothing is inline, so the
 * Content-Security-Policy allows scripts and styles from this origin only and nothing else at all.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url))

/** connect-src 'self' lets the script call /status and nothing else; no frames, forms or bases. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

const PAGE_HEADERS = {
  'content-security-policy': STATUS_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store'
}

/** q-value of one media type in an Accept header; wildcards count for nothing either way. */
function quality (accept: string, type: string): number {
  for (const part of accept.split(',')) {
    const [media, ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    if (media !== type) continue
    const q = params.find((p) => p.startsWith('q='))
    const value = q === undefined ? 1 : Number(q.slice(2))
    return Number.isFinite(value) ? value : 0
  }
  return 0
}

/** True when the client asks for HTML and likes it better than JSON (what browsers send). */
export function prefersHtml (accept: string | undefined): boolean {
  if (accept === undefined) return false
  const html = quality(accept, 'text/html')
  return html > 0 && html > quality(accept, 'application/json')
}

export default fp(async (app) => {
  if (!existsSync(`${PAGE_DIR}index.html`)) {
    throw new Error(`the status page's files are missing from ${PAGE_DIR}: npm run build copies them there`)
  }
  // A child context, so this reply.sendFile does not clash with the copy that @fastify/swagger-ui uses.
  await app.register(async (child: FastifyInstance) => {
    await child.register(fastifyStatic, {
      root: PAGE_DIR,
      prefix: '/ops/',
      // One route per file, found at start: no catch-all under /ops/ in front of the ops routes.
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders: (reply) => { void reply.headers(PAGE_HEADERS) }
    })
    child.get('/ops', {
      schema: {
        summary: 'The status page for people (HTML; it fetches /status with the ops token)',
        response: { 200: { description: 'the page', content: { 'text/html': { schema: Type.String() } } } }
      }
    }, async (_request, reply) => await reply.sendFile('index.html'))
  })

}, { name: 'status-page', dependencies: ['error-handler'] })

/**
 * GET /status's first onRequest hook (plugins/status/status.ts), before the token check: a browser
 * goes to the page. On that route alone, rather than a hook on every request of the service (each
 * webhook delivery paid for a check that can only ever match /status).
 */
export function redirectBrowsers (request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (!prefersHtml(request.headers.accept)) { done(); return }
  // The fragment (#token=…) survives a redirect that has none of its own.
  void reply.headers({ vary: 'accept', 'cache-control': 'no-store' }).redirect('/ops', 302)
}
