/**
 * Private Redis topologies on loopback, for the cluster suite (test/cluster/): a three-primary
 * Redis Cluster, and a primary with one replica watched by three sentinels. Every port is a free
 * one; config and data files live in a temp dir; everything is SIGKILLed and removed when the
 * test ends. Like test/helpers/redis.ts, but several servers per test.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Cluster, Redis } from 'ioredis'
import { freePort } from './redis.js'

type Teardown = { teardown: (fn: () => unknown) => void }

const run = promisify(execFile)
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** One redis-server (or sentinel) process that can be SIGKILLed. */
interface Server {
  port: number
  args: string[]
  proc: ChildProcess
  kill: () => Promise<void>
}

function startServer (args: string[], port: number): Server {
  const proc = spawn('redis-server', args, { stdio: 'ignore' })
  const kill = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return
    await new Promise<void>((resolve) => { proc.once('exit', () => resolve()); proc.kill('SIGKILL') })
  }
  return { port, args, proc, kill }
}

/** A short-lived client that never reconnects: for probes. */
async function probe<T> (port: number, fn: (c: Redis) => Promise<T>): Promise<T> {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null })
  c.on('error', () => {})
  try {
    await c.connect()
    return await fn(c)
  } finally {
    c.disconnect()
  }
}

/** Polls until check() is true (errors count as false); fails with `what` after timeoutMs. */
async function until (what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

const base = (port: number, dir: string): string[] => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--maxmemory-policy', 'noeviction']

export interface TestCluster {
  /** host:port of every primary, as REDIS_CLUSTER_NODES takes them. */
  nodes: string
  ports: number[]
  /** SIGKILL every node: the whole cluster is gone. */
  stopAll: () => Promise<void>
  /** A cluster client (ioredis Cluster), disconnected at teardown. */
  client: () => Cluster
}

export async function startRedisCluster (t: Teardown, size = 3): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'efs-cluster-'))
  const servers: Server[] = []
  const clients: Array<{ disconnect: () => void }> = []
  t.teardown(async () => {
    for (const c of clients) c.disconnect()
    await Promise.all(servers.map(async (s) => { await s.kill() }))
    rmSync(dir, { recursive: true, force: true })
  })
  const ports: number[] = []
  for (let i = 0; i < size; i++) {
    const port = await freePort()
    // The bus port is given, not port + 10000, which may be taken or past 65535.
    const bus = await freePort()
    ports.push(port)
    servers.push(startServer([...base(port, dir), '--appendonly', 'yes', '--appendfsync', 'everysec', '--appendfilename', `aof-${port}.aof`, '--appenddirname', `aof-${port}`,
      '--cluster-enabled', 'yes', '--cluster-port', String(bus), '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000'], port))
  }
  for (const port of ports) await until(`cluster node ${port} to start`, async () => await probe(port, async (c) => await c.ping() === 'PONG'))
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 })
  for (const port of ports) {
    await until(`cluster node ${port} to say cluster_state:ok`, async () => await probe(port, async (c) => /cluster_state:ok/.test(String(await c.call('CLUSTER', 'INFO')))))
  }
  return {
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    ports,
    stopAll: async () => { await Promise.all(servers.map(async (s) => { await s.kill() })) },
    client: () => {
      const c = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })), { redisOptions: { maxRetriesPerRequest: null } })
      c.on('error', () => {})
      clients.push(c)
      return c
    }
  }
}

export interface TestSentinel {
  /** The sentinels' host:port list, as REDIS_SENTINELS takes it. */
  sentinels: string
  master: string
  primaryPort: number
  replicaPort: number
  /** SIGKILL the current primary (no shutdown, nothing flushed). */
  killPrimary: () => Promise<void>
  /**
   * Start the killed server again on its port, from its own files, as a replica of the primary
   * the sentinels name now (as a supervisor that asks them would; left alone, the sentinels
   * would convert it themselves, some seconds later).
   */
  restartKilled: () => Promise<void>
  /**
   * Cuts the replica off the primary, as a partition would, while every client already connected
   * keeps writing: the primary starts requiring a password (connections already open stay
   * authenticated) and drops its replica, which then cannot reconnect.
   */
  cutReplication: () => Promise<void>
  /** The port the sentinels name as the primary now (asks the first that answers). */
  currentPrimary: () => Promise<number | undefined>
  /** A client of the current primary through the sentinels. */
  client: () => Redis
}

export async function startRedisSentinel (t: Teardown, opts: { master?: string } = {}): Promise<TestSentinel> {
  const master = opts.master ?? 'efsmaster'
  const dir = mkdtempSync(join(tmpdir(), 'efs-sentinel-'))
  const servers: Server[] = []
  const clients: Redis[] = []
  t.teardown(async () => {
    for (const c of clients) c.disconnect()
    await Promise.all(servers.map(async (s) => { await s.kill() }))
    rmSync(dir, { recursive: true, force: true })
  })
  const primaryPort = await freePort()
  const replicaPort = await freePort()
  const data = (port: number): string[] => [...base(port, dir), '--appendonly', 'yes', '--appendfsync', 'everysec', '--appendfilename', `aof-${port}.aof`, '--appenddirname', `aof-${port}`]
  const primary = startServer(data(primaryPort), primaryPort)
  servers.push(primary)
  await until('the primary to start', async () => await probe(primaryPort, async (c) => await c.ping() === 'PONG'))
  servers.push(startServer([...data(replicaPort), '--replicaof', '127.0.0.1', String(primaryPort)], replicaPort))
  await until('the replica to be in sync', async () => await probe(replicaPort, async (c) => /master_link_status:up/.test(await c.info('replication'))))

  const sentinelPorts: number[] = []
  for (let i = 0; i < 3; i++) {
    const port = await freePort()
    sentinelPorts.push(port)
    const file = join(dir, `sentinel-${port}.conf`)
    // The sentinel rewrites its own file (what it learns of replicas and other sentinels).
    writeFileSync(file, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
      `sentinel monitor ${master} 127.0.0.1 ${primaryPort} 2`,
      `sentinel down-after-milliseconds ${master} 1000`,
      `sentinel failover-timeout ${master} 5000`,
      `sentinel parallel-syncs ${master} 1`, ''
    ].join('\n'))
    servers.push(startServer([file, '--sentinel'], port))
  }
  // A failover needs the quorum to know one another and the replica.
  for (const port of sentinelPorts) {
    let seen = 'nothing yet'
    await until(`sentinel ${port} to see the replica and the other sentinels`, async () => await probe(port, async (c) => {
      const replicas = await c.call('SENTINEL', 'replicas', master) as unknown[]
      const others = await c.call('SENTINEL', 'sentinels', master) as unknown[]
      seen = `${replicas.length} replicas, ${others.length} other sentinels`
      return replicas.length === 1 && others.length === 2
    }), 60_000).catch((err: Error) => { throw new Error(`${err.message} (it saw ${seen})`) })
  }
  const byPort = (port: number): Server | undefined => servers.find((s) => s.port === port && s.proc.exitCode === null && s.proc.signalCode === null)
  let killed: Server | undefined
  const currentPrimary = async (): Promise<number | undefined> => {
    for (const port of sentinelPorts) {
      const addr = await probe(port, async (c) => await c.call('SENTINEL', 'get-master-addr-by-name', master) as [string, string] | null).catch(() => null)
      if (Array.isArray(addr)) return Number(addr[1])
    }
    return undefined
  }
  return {
    sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
    master,
    primaryPort,
    replicaPort,
    currentPrimary,
    cutReplication: async () => {
      const port = await currentPrimary()
      if (port === undefined) throw new Error('no primary')
      await probe(port, async (c) => {
        await c.call('CONFIG', 'SET', 'requirepass', randomBytes(12).toString('hex'))
        await c.call('CLIENT', 'KILL', 'TYPE', 'replica')
      })
    },
    killPrimary: async () => {
      const port = await currentPrimary()
      const s = port === undefined ? undefined : byPort(port)
      if (s === undefined) throw new Error('no primary to kill')
      await s.kill()
      killed = s
    },
    restartKilled: async () => {
      if (killed === undefined) throw new Error('nothing was killed')
      const primary = await currentPrimary()
      const again = startServer([...killed.args, ...(primary !== undefined && primary !== killed.port ? ['--replicaof', '127.0.0.1', String(primary)] : [])], killed.port)
      servers.push(again)
      killed = undefined
      await until('the restarted server to answer', async () => await probe(again.port, async (c) => await c.ping() === 'PONG'))
    },
    client: () => {
      const c = new Redis({ sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })), name: master, maxRetriesPerRequest: null })
      c.on('error', () => {})
      clients.push(c)
      return c
    }
  }
}
