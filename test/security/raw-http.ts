/**
 * Raw HTTP/1.1 over a socket, for what app.inject() smooths over: invalid UTF-8 on the wire,
 * repeated and oversized headers, unknown methods, framing the parser refuses. The server is asked
 * to close the connection, so a response is whatever arrives before the socket ends.
 */
import { connect } from 'node:net'

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export interface RawRequest {
  method: string
  path: string
  /** Header lines as sent, repeats allowed; Host and Connection: close are added. */
  headers?: Array<[string, string | Buffer]>
  body?: string | Buffer
  /** Adds a correct content-length for the body (default true). */
  contentLength?: boolean
}

/** Builds the bytes of one request. */
export function requestBytes (req: RawRequest, port: number): Buffer {
  const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body
  const lines: Buffer[] = [Buffer.from(`${req.method} ${req.path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n`)]
  for (const [name, value] of req.headers ?? []) {
    lines.push(Buffer.from(`${name}: `), typeof value === 'string' ? Buffer.from(value, 'latin1') : value, Buffer.from('\r\n'))
  }
  if (body !== undefined && req.contentLength !== false) lines.push(Buffer.from(`content-length: ${body.length}\r\n`))
  lines.push(Buffer.from('\r\n'))
  if (body !== undefined) lines.push(body)
  return Buffer.concat(lines)
}

/** Sends raw bytes and parses the (first) response. */
export async function rawSend (port: number, bytes: Buffer, timeoutMs = 5000): Promise<RawResponse> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no complete response within ${timeoutMs} ms`)) }, timeoutMs)
    const finish = (): void => {
      clearTimeout(timer)
      const parsed = parseResponse(Buffer.concat(chunks))
      if (parsed === undefined) reject(new Error(`not an HTTP response: ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 200))}`))
      else resolve(parsed)
    }
    socket.on('data', (c: Buffer) => {
      chunks.push(c)
      // A complete response is enough: the server may keep reading a body we are still sending.
      const parsed = parseResponse(Buffer.concat(chunks))
      if (parsed !== undefined && complete(parsed, Buffer.concat(chunks))) { socket.destroy(); finish() }
    })
    socket.on('error', () => { /* a reset after the response is normal for a refused request */ })
    socket.on('close', finish)
    socket.write(bytes, () => { /* written */ })
  })
}

export async function rawRequest (port: number, req: RawRequest): Promise<RawResponse> {
  return await rawSend(port, requestBytes(req, port))
}

function parseResponse (data: Buffer): RawResponse | undefined {
  const text = data.toString('utf8')
  const end = text.indexOf('\r\n\r\n')
  if (end === -1) return undefined
  const [statusLine, ...headerLines] = text.slice(0, end).split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1])
  if (!Number.isInteger(status)) return undefined
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status, headers, body: text.slice(end + 4) }
}

function complete (res: RawResponse, data: Buffer): boolean {
  const length = Number(res.headers['content-length'])
  if (!Number.isInteger(length)) return false
  const headerEnd = data.indexOf('\r\n\r\n')
  return data.length - headerEnd - 4 >= length
}
