/**
 * A private redis-server per test file, on a free port, stopped when the test ends. Tests that
 * need to kill or restart Redis call stop()/start() on their own server.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'

export interface TestRedis {
  url: string
  port: number
  /** Starts the server again on the same port (after stop()). */
  start: () => Promise<void>
  stop: () => Promise<void>
  client: () => Redis
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

async function waitReady (port: number): Promise<void> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null })
    c.on('error', () => {})
    try {
      await c.connect()
      await c.ping()
      c.disconnect()
      return
    } catch {
      c.disconnect()
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

export async function startRedis (t: { teardown: (fn: () => unknown) => void }, extraArgs: string[] = []): Promise<TestRedis> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'efs-redis-'))
  let proc: ChildProcess | undefined
  const clients: Redis[] = []

  const start = async (): Promise<void> => {
    proc = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', dir, '--maxmemory-policy', 'noeviction', ...extraArgs
    ], { stdio: 'ignore' })
    await waitReady(port)
  }
  const stop = async (): Promise<void> => {
    const p = proc
    proc = undefined
    if (p === undefined || p.exitCode !== null) return
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve())
      p.kill('SIGKILL')
    })
  }

  await start()
  t.teardown(async () => {
    for (const c of clients) c.disconnect()
    await stop()
    rmSync(dir, { recursive: true, force: true })
  })
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    client: () => {
      const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null })
      c.on('error', () => {})
      clients.push(c)
      return c
    }
  }
}
