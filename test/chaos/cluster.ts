/**
 * The service as the chaos run runs it: one SERVICE_ROLE=api process on a fixed port (so a
 * restarted API answers where the providers deliver) and worker processes that can be killed,
 * terminated and started again. Every process ever started is kept, for its exit and its logs.
 */
import { spawnService, type Exit, type ServiceProcess } from '../helpers/process.js'
import { freePort, type TestRedis } from '../helpers/redis.js'
import { Redis } from 'ioredis'

type Teardown = { teardown: (fn: () => unknown) => void }

export interface Cluster {
  apiUrl: string
  api: () => ServiceProcess
  worker: (i: number) => ServiceProcess
  workerCount: number
  /** SIGKILL the API and start it again on the same port; resolves once it is healthy. */
  killApi: () => Promise<void>
  /** SIGKILL worker i and start another in its place after `downMs`. */
  killWorker: (i: number, downMs: number) => Promise<void>
  /** SIGTERM worker i; resolves with its exit and how long it took. */
  terminateWorker: (i: number, boundMs: number) => Promise<{ exit: Exit, ms: number }>
  startWorker: (i: number) => Promise<void>
  /** SIGTERM every live process; their exits. */
  stopAll: (boundMs: number) => Promise<Array<{ role: string, exit: Exit, ms: number }>>
  /** stdout and stderr of every process started so far. */
  logs: () => string
}

export async function startCluster (t: Teardown, env: Record<string, string>, workers: number): Promise<Cluster> {
  const port = String(await freePort())
  const all: Array<{ role: string, proc: ServiceProcess }> = []
  const spawn = async (role: 'api' | 'worker'): Promise<ServiceProcess> => {
    const proc = await spawnService(t, { ...env, SERVICE_ROLE: role, ...(role === 'api' && { PORT: port }) })
    all.push({ role, proc })
    await proc.waitHealthy(30_000)
    return proc
  }
  let api = await spawn('api')
  const ws = await Promise.all(Array.from({ length: workers }, async () => await spawn('worker')))
  const timed = async (proc: ServiceProcess, boundMs: number): Promise<{ exit: Exit, ms: number }> => {
    const started = Date.now()
    proc.child.kill('SIGTERM')
    const exit = await proc.waitExit(boundMs).catch(() => ({ code: null, signal: null }))
    return { exit, ms: Date.now() - started }
  }
  const get = (i: number): ServiceProcess => {
    const w = ws[i]
    if (w === undefined) throw new Error(`no worker ${i}`)
    return w
  }
  return {
    apiUrl: api.baseUrl,
    api: () => api,
    worker: get,
    workerCount: workers,
    async killApi () {
      api.child.kill('SIGKILL')
      await api.exited
      api = await spawn('api')
    },
    async killWorker (i, downMs) {
      const w = get(i)
      w.child.kill('SIGKILL')
      await w.exited
      await new Promise((resolve) => setTimeout(resolve, downMs))
      ws[i] = await spawn('worker')
    },
    terminateWorker: async (i, boundMs) => await timed(get(i), boundMs),
    async startWorker (i) { ws[i] = await spawn('worker') },
    async stopAll (boundMs) {
      const live = all.filter((p) => p.proc.child.exitCode === null && p.proc.child.signalCode === null)
      return await Promise.all(live.map(async (p) => ({ role: p.role, ...await timed(p.proc, boundMs) })))
    },
    logs: () => all.map((p) => `=== ${p.role} pid ${p.proc.child.pid ?? '?'}\n${p.proc.stdout()}\n${p.proc.stderr()}`).join('\n')
  }
}

/**
 * A clean Redis stop (SHUTDOWN: the AOF is flushed and fsynced) and a start on the same port and
 * directory after `downMs`, so it reloads its AOF. Resolves to how long Redis was unreachable.
 */
export async function bounceRedis (redis: TestRedis, downMs: number): Promise<number> {
  const c = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null })
  c.on('error', () => {})
  await c.connect()
  const started = Date.now()
  // The connection closes under the command, so its answer is an error: that is the point.
  await c.call('SHUTDOWN').catch(() => {})
  c.disconnect()
  // Only once the port refuses is the shutdown (and its fsync) over; stop() then just reaps.
  await waitRefused(redis.port, 10_000)
  await redis.stop()
  await new Promise((resolve) => setTimeout(resolve, downMs))
  await redis.start()
  return Date.now() - started
}

async function waitRefused (port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null })
    probe.on('error', () => {})
    const up = await probe.connect().then(() => true, () => false)
    probe.disconnect()
    if (!up) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`redis on ${port} still answers ${timeoutMs} ms after SHUTDOWN`)
}
