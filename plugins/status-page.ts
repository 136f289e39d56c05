/**
 * The status page for people: GET /ops serves a static shell (no data, so no auth) whose script
 * asks for the ops token and polls GET /status. A browser that opens /status itself (it prefers
 * text/html over JSON) is redirected to /ops; curl, scripts and the page's own fetch get JSON.
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import { STATUS_PAGE_CSP, STATUS_PAGE_HTML } from './status-page-html.js'

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
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
  app.get('/ops', {
    schema: {
      summary: 'The status page for people (HTML; it fetches /status with the ops token)',
      response: { 200: { description: 'the page', content: { 'text/html': { schema: Type.String() } } } }
    }
  }, async (_request, reply) => await reply.headers(PAGE_HEADERS).send(STATUS_PAGE_HTML))

  // A hook rather than a second GET /status route: that route belongs to plugins/status.ts.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || request.routeOptions.url !== '/status') return
    if (!prefersHtml(request.headers.accept)) return
    // The fragment (#token=…) survives a redirect that has none of its own.
    return await reply.headers({ vary: 'accept', 'cache-control': 'no-store' }).redirect('/ops', 302)
  })
}, { name: 'status-page', dependencies: ['error-handler'] })
