/**
 * Answers for requests that never reach a route: Node's HTTP parser refusing them (oversized
 * headers, conflicting lengths, NUL bytes, unknown methods) and the router refusing their URL.
 * Same JSON shape as every other error here, with a stable code, so a client can tell them apart.
 */
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'

export function clientErrorHandler (err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) { socket.destroy(); return }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW'
  const status = tooLarge ? 431 : 400
  const body = JSON.stringify({
    statusCode: status,
    code: tooLarge ? 'HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST',
    error: tooLarge ? 'Request Header Fields Too Large' : 'Bad Request',
    message: tooLarge ? 'the request headers (or URL) are too large' : 'the request is not valid HTTP'
  })
  socket.end(`HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

export function frameworkErrors (err: Error & { code?: string, statusCode?: number }, _request: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode ?? 400
  const code = err.code === 'FST_ERR_BAD_URL' ? 'BAD_URL' : err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'URL_TOO_LONG' : 'BAD_REQUEST'
  void reply.code(status).send({ statusCode: status, code, error: status === 414 ? 'URI Too Long' : 'Bad Request', message: err.message })
}
