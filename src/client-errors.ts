/**
 * Answers for requests that never reach a route: Node's HTTP parser refusing them (oversized
 * headers, conflicting lengths, NUL bytes, unknown methods) and the router refusing their URL.
 * Same JSON shape as every other error here, with a stable code, so a client can tell them apart.
 */
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'

export function clientErrorHandler (err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) { socket.destroy(); return }
  const [status, code, title, message] = answerFor(err.code)
  const body = JSON.stringify({ statusCode: status, code, error: title, message })
  socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

function answerFor (code: string | undefined): [number, string, string, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'HEADERS_TOO_LARGE', 'Request Header Fields Too Large', 'the request headers (or URL) are too large']
  // Node's requestTimeout/headersTimeout: the client did not send its whole request in time.
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'REQUEST_TIMEOUT', 'Request Timeout', 'the request was not sent in full within the server\'s request timeout']
  return [400, 'MALFORMED_REQUEST', 'Bad Request', 'the request is not valid HTTP']
}

export function frameworkErrors (err: Error & { code?: string, statusCode?: number }, request: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode ?? 400
  // A SCIM client reads SCIM's error schema (RFC 7644 §3.12) for every answer under /scim/.
  if (request.url.startsWith('/scim/')) {
    void reply.code(status).header('content-type', 'application/scim+json; charset=utf-8')
      .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail: err.message })
    return
  }
  const code = err.code === 'FST_ERR_BAD_URL' ? 'BAD_URL' : err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'URL_TOO_LONG' : 'BAD_REQUEST'
  void reply.code(status).send({ statusCode: status, code, error: status === 414 ? 'URI Too Long' : 'Bad Request', message: err.message })
}
