/**
 * Graceful shutdown under load: with Enerflo answering slowly (but within the client timeout) and
 * both workers holding active jobs, SIGTERM worker 0. It must exit 0 within the bound, finish its
 * active jobs (or hand them back) while draining, and leave nothing for BullMQ's stalled-job
 * recovery to find. The final accounting then shows nothing acknowledged was lost.
 */
import type { Test } from 'tap'
import type { Exit } from '../helpers/process.js'
import { waitFor } from '../helpers/wait.js'
import type { EnerfloSandbox, SandboxFault } from '../../src/simulators/enerflo/sandbox.js'
import type { Cluster } from './cluster.js'
import type { QueueWatch } from './queue-watch.js'
import type { createDriver } from './driver.js'
import type { createTraffic } from './traffic.js'

export const SHUTDOWN_BOUND_MS = 20_000

export interface ShutdownResult {
  exit: Exit
  ms: number
  /** Active jobs per worker when SIGTERM was sent. */
  activeAtSigterm: number[]
  /** Jobs the terminated worker applied to Enerflo after SIGTERM, while draining. */
  appliedWhileDraining: number
  stalledAfter: number
}

interface Deps {
  cluster: Cluster
  enerflo: EnerfloSandbox
  watch: QueueWatch
  driver: ReturnType<typeof createDriver>
  traffic: ReturnType<typeof createTraffic>
  round: number
  inject: (fault: SandboxFault) => void
}

export async function shutdownUnderLoad (t: Test, d: Deps): Promise<ShutdownResult> {
  d.inject({ kind: 'latency', ms: 600, count: 80 })
  const sending = d.driver.sendAll(d.traffic.round(d.round), 6)
  // Only the two live workers hold locks now (the queue had drained), so two owners means the
  // worker about to be terminated has jobs in hand.
  const owners = await waitFor('both workers to hold active jobs', async () => await d.watch.activeOwners(), (o) => o.size >= 2, 20_000)
  const stalledBefore = d.watch.seen.stalled.length
  const victim = d.cluster.worker(0)
  const sigtermAt = Date.now()
  const { exit, ms } = await d.cluster.terminateWorker(0, SHUTDOWN_BOUND_MS + 10_000)
  t.same(exit, { code: 0, signal: null }, 'the worker SIGTERMed while busy exits 0')
  t.ok(ms < SHUTDOWN_BOUND_MS, `within ${SHUTDOWN_BOUND_MS} ms (took ${ms} ms)`)
  const out = victim.stdout()
  t.match(out, /shutting down: draining requests and active jobs/, 'it drained')
  t.notMatch(out, /did not finish in time/, 'its active jobs finished within the drain time')
  const appliedWhileDraining = out.split('\n').filter((line) => {
    if (!line.includes('user applied to Enerflo')) return false
    const time = Number(/"time":(\d+)/.exec(line)?.[1] ?? 0)
    return time >= sigtermAt
  }).length
  t.ok(appliedWhileDraining > 0, `it finished jobs it held after SIGTERM (${appliedWhileDraining} applied while draining)`)
  await sending
  await d.cluster.startWorker(0)
  await d.watch.drained(120_000)
  const stalledAfter = d.watch.seen.stalled.length - stalledBefore
  t.equal(stalledAfter, 0, 'no job was left behind for stalled-job recovery')
  return { exit, ms, activeAtSigterm: [...owners.values()], appliedWhileDraining, stalledAfter }
}
