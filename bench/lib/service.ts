/**
 * The real service as a process (`node --import tsx src/server.ts`), started with an environment
 * built from scratch, as an operator would run it. Logs go to /dev/null: pino still formats and
 * writes every line (that cost is part of what is measured) but the bench does not read them.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { endProcess, freePort, pollUntil, rssMiB, track } from './procs.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface ServiceProcess {
  child: ChildProcess
  baseUrl: string
  rssMiB: () => Promise<number | undefined>
  stop: () => Promise<void>
}

export interface SpawnOptions {
  env: Record<string, string>
  /** Node flags before --import tsx (e.g. --cpu-prof). */
  nodeArgs?: string[]
  /** The script to run; defaults to the service. */
  script?: string
  readyPath?: string
}

export async function spawnService (opts: SpawnOptions): Promise<ServiceProcess> {
  const port = await freePort()
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? ROOT,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    ...opts.env,
    PORT: String(port)
  }
  const child = track(spawn(process.execPath, [...opts.nodeArgs ?? [], '--import', 'tsx', opts.script ?? 'src/server.ts'], {
    cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe']
  }))
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { stderr = (stderr + s).slice(-4000) })
  const baseUrl = `http://127.0.0.1:${port}`
  const readyPath = opts.readyPath ?? '/readyz'
  const { ok } = await pollUntil(async () => {
    if (child.exitCode !== null) return -1
    return await request(`${baseUrl}${readyPath}`).then(async (res) => { await res.body.dump(); return res.statusCode }, () => 0)
  }, (s) => s === 200 || s === -1, 30_000, 100)
  if (!ok || child.exitCode !== null) {
    await endProcess(child, 'SIGKILL')
    throw new Error(`${opts.script ?? 'service'} did not become ready at ${baseUrl}${readyPath}\n${stderr}`)
  }
  return {
    child,
    baseUrl,
    rssMiB: async () => await rssMiB(child.pid),
    stop: async () => { await endProcess(child, 'SIGTERM', 15_000) }
  }
}
