/**
 * The faults of the chaos run on a timeline beside the traffic: Enerflo answers 5xx, 429 with
 * retry-after, slow answers past the client timeout and reset connections (the sandbox's fault
 * queue, taken by PUTs in order), workers and the API SIGKILLed and started again, Redis stopped
 * and started again. Each step is logged with when it ran and how long it took.
 */
import type { EnerfloSandbox, SandboxFault, SandboxRequest } from '../../src/simulators/enerflo/sandbox.js'

export interface Step {
  at: number
  what: string
  run: () => Promise<string | void>
}

export interface StepLog { what: string, startedMs: number, tookMs: number, note: string }

export interface FaultCounts {
  /** PUTs the sandbox was told to answer this way. */
  injected: { '5xx': number, '429': number, slow: number, slowWithin: number, reset: number }
}

/** Puts faults on the sandbox's queue and counts them; a latency is `slow` when it exceeds the client timeout. */
export function faultInjector (enerflo: EnerfloSandbox, timeoutMs: number) {
  const counts: FaultCounts = { injected: { '5xx': 0, '429': 0, slow: 0, slowWithin: 0, reset: 0 } }
  const inject = (fault: SandboxFault): void => {
    enerflo.inject(fault)
    const kind = fault.kind === 'status'
      ? '5xx'
      : fault.kind === 'rate-limit' ? '429' : fault.kind === 'drop' ? 'reset' : fault.ms > timeoutMs ? 'slow' : 'slowWithin'
    counts.injected[kind] += fault.count
  }
  return { counts, inject }
}

/** What the sandbox actually answered: faults seen by the service, from the request log. */
export function observedFaults (requests: SandboxRequest[], timeoutMs: number): Record<'5xx' | '429' | 'slow' | 'reset', number> {
  return {
    '5xx': requests.filter((r) => r.status >= 500).length,
    '429': requests.filter((r) => r.status === 429).length,
    slow: requests.filter((r) => r.durationMs > timeoutMs).length,
    reset: requests.filter((r) => r.status === 0).length
  }
}

/** Runs the steps in order, each not before `start + at`; resolves with the log. */
export async function runTimeline (start: number, steps: Step[]): Promise<StepLog[]> {
  const log: StepLog[] = []
  for (const step of steps) {
    const wait = start + step.at - Date.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    const began = Date.now()
    const note = await step.run()
    log.push({ what: step.what, startedMs: began - start, tookMs: Date.now() - began, note: note ?? '' })
  }
  return log
}
