/**
 * A private redis-server for a bench, on a free port in a temporary directory, with BullMQ's
 * required noeviction. Persistence is off unless the bench passes AOF arguments.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { endProcess, freePort, sleep, track } from './procs.js'

export interface BenchRedis {
  url: string
  port: number
  dir: string
  /** A plain client for the bench's own reads (INFO, FLUSHALL). */
  client: Redis
  usedMemory: () => Promise<number>
  flush: () => Promise<void>
  stop: () => Promise<void>
}

export async function startRedis (extraArgs: string[] = []): Promise<BenchRedis> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'efs-bench-redis-'))
  const child = track(spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir, '--maxmemory-policy', 'noeviction', ...extraArgs
  ], { stdio: 'ignore' }))
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null })
  client.on('error', () => {})
  let up = false
  for (let i = 0; i < 200 && !up; i++) {
    try {
      await client.connect()
      await client.ping()
      up = true
    } catch {
      client.disconnect()
      await sleep(50)
    }
  }
  if (!up) throw new Error(`redis-server on ${port} did not start`)
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    client,
    async usedMemory () {
      const info = await client.info('memory')
      return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN)
    },
    async flush () { await client.flushall('SYNC') },
    async stop () {
      client.disconnect()
      await endProcess(child, 'SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
