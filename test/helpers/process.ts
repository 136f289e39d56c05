/**
 * The real service as a child process (`node --import tsx src/server.ts`), for whole-process tests.
 * Its environment is built from scratch (PATH and HOME only, plus what the test passes), so no
 * ENERFLO_* or OKTA_* variable of the machine running the tests leaks in. The child is always
 * killed when the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { freePort } from './redis.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Exit { code: number | null, signal: NodeJS.Signals | null }

export interface ServiceProcess {
  child: ChildProcess
  /** http://127.0.0.1:<PORT> (meaningless when the test passes a bad PORT). */
  baseUrl: string
  env: Record<string, string>
  stdout: () => string
  stderr: () => string
  /** Resolves when the process exits, however it exits. */
  exited: Promise<Exit>
  /** Waits until stdout matches; fails early, with the output, when the process exits first. */
  waitForStdout: (what: string, re: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>
  /** Waits until GET /healthz answers 200. */
  waitHealthy: (timeoutMs?: number) => Promise<void>
  /** Waits for the exit, or fails after timeoutMs with the output so far. */
  waitExit: (timeoutMs?: number) => Promise<Exit>
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

export async function spawnService (t: { teardown: (fn: () => unknown) => void }, env: Record<string, string>): Promise<ServiceProcess> {
  const port = env['PORT'] ?? String(await freePort())
  const fullEnv: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? ROOT,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...env,
    PORT: port
  }
  // Through env(1) without NODE_OPTIONS: tap adds its coverage hook to every child it sees
  // spawned, and a tsx-compiled child's coverage of src/ would be merged with the test's own
  // (ts-node-compiled) coverage of the same files, scrambling both. env execs node: same pid.
  const child = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, '--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { out += s })
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { err += s })
  let exit: Exit | undefined
  const exited = new Promise<Exit>((resolve) => {
    // 'close', not 'exit': by then stdout and stderr are fully read.
    child.once('close', (code, signal) => { exit = { code, signal }; resolve(exit) })
  })
  t.teardown(async () => {
    if (exit !== undefined) return
    child.kill('SIGKILL')
    await exited
  })
  const output = (): string => `exit: ${JSON.stringify(exit ?? null)}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`

  const waitForStdout = async (what: string, re: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const m = out.match(re)
      if (m !== null) return m
      if (exit !== undefined) throw new Error(`process exited before ${what}\n${output()}`)
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output()}`)
      await sleep(25)
    }
  }
  const baseUrl = `http://127.0.0.1:${port}`
  const waitHealthy = async (timeoutMs = 15_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (exit !== undefined) throw new Error(`process exited before it was healthy\n${output()}`)
      const status = await request(`${baseUrl}/healthz`).then(async (res) => { await res.body.dump(); return res.statusCode }, () => 0)
      if (status === 200) return
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${baseUrl}/healthz (last ${status})\n${output()}`)
      await sleep(50)
    }
  }
  const waitExit = async (timeoutMs = 10_000): Promise<Exit> => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`process did not exit within ${timeoutMs} ms\n${output()}`)) }, timeoutMs)
    })
    try {
      return await Promise.race([exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }
  return { child, baseUrl, env: fullEnv, stdout: () => out, stderr: () => err, exited, waitForStdout, waitHealthy, waitExit }
}
