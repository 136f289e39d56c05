/**
 * The two HTTP chores of the sandbox: read a bounded request body, and answer once, JSON or (for
 * Enerflo's error pages) HTML, unless the client already hung up.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

const MAX_BODY = 1024 * 1024

/** Sends one answer unless the client already went away (a timeout, say). */
export function send (res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  if (res.destroyed || res.writableEnded) return
  const html = typeof body === 'string'
  const text = html ? body : JSON.stringify(body)
  res.writeHead(status, { ...headers, 'content-type': html ? 'text/html; charset=UTF-8' : 'application/json' })
  res.end(text)
}

export function readBody (req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) { req.destroy(new Error('body too large')); return }
      chunks.push(c)
    })
    req.on('end', () => { resolve(Buffer.concat(chunks).toString('utf8')) })
    req.on('error', reject)
  })
}
