/**
 * The operator CLI run in-process against a test service: its exit code and what it printed, and
 * the address of a harness app listening on a free loopback port.
 */
import type { FastifyInstance } from 'fastify'
import { main } from '../../src/cli/main.js'

export async function cli (argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await main(argv, { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } }, env })
  return { code, out, err }
}

export async function urlOf (app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const addr = app.server.address()
  return `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
}
