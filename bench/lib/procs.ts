/**
 * Child processes the benches start (redis-server, service processes, baselines). Every one is
 * registered here so that a bench that fails or is interrupted still ends exactly the processes
 * it started, by pid, and nothing else.
 */
import type { ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'

const children = new Set<ChildProcess>()

export function track (child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => { children.delete(child) })
  return child
}

/** Sends signal, waits up to graceMs for the exit, then SIGKILL. */
export async function endProcess (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => { child.once('exit', () => resolve()) })
  child.kill(signal)
  const timer = setTimeout(() => { child.kill('SIGKILL') }, graceMs)
  await exited
  clearTimeout(timer)
}

function killAll (): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  }
}

process.once('exit', killAll)
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => { killAll(); process.exit(130) })
}

// One free-port finder for tests and benches.
export { freePort } from '../../test/helpers/redis.js'

export const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Resident set size of a process in MiB, from /proc (Linux). */
export async function rssMiB (pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(text)?.[1]
  return kb === undefined ? undefined : Number(kb) / 1024
}

/** Polls probe until ok, at most timeoutMs; returns the last value and whether it held. */
export async function pollUntil<T> (probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, everyMs = 100): Promise<{ value: T, ok: boolean }> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (ok(value)) return { value, ok: true }
    if (Date.now() >= deadline) return { value, ok: false }
    await sleep(everyMs)
  }
}

/**
 * CPU time a process has used so far (user + system, all threads) in µs, from /proc/<pid>/stat
 * (Linux; clock ticks of 10 ms). Read before and after a run: what a target spent per request is a
 * steadier figure than its req/s on a shared machine, where the other processes' share varies.
 */
export async function cpuMicros (pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) * 10_000 : undefined
}
