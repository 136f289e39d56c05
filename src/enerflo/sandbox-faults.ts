/**
 * Injected failures for the sandbox: a FIFO of faults, each good for `count` PUTs, so a test can
 * say "the next two requests get a 503, then one is dropped" and watch the worker cope.
 */
import type { SandboxFault } from './sandbox-types.js'

export interface FaultQueue {
  push (fault: SandboxFault): void
  /** The fault the next PUT suffers, if any; spends one of its count. */
  take (): SandboxFault | undefined
  pending (): number
  clear (): void
}

export function createFaultQueue (): FaultQueue {
  const queue: Array<{ fault: SandboxFault, left: number }> = []
  return {
    push (fault) {
      if (fault.count > 0) queue.push({ fault: { ...fault }, left: fault.count })
    },
    take () {
      const head = queue[0]
      if (head === undefined) return undefined
      if (--head.left <= 0) queue.shift()
      return head.fault
    },
    pending () { return queue.reduce((n, q) => n + q.left, 0) },
    clear () { queue.length = 0 }
  }
}

function count (v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined
}

/** Checks a fault that arrived over HTTP; undefined when it is not one. */
export function parseFault (v: unknown): SandboxFault | undefined {
  if (v === null || typeof v !== 'object') return undefined
  const f = v as Record<string, unknown>
  const n = count(f.count ?? 1)
  if (n === undefined) return undefined
  switch (f.kind) {
    case 'status': {
      const status = f.status
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) return undefined
      if (f.body !== undefined && typeof f.body !== 'string') return undefined
      return typeof f.body === 'string' ? { kind: 'status', status, count: n, body: f.body } : { kind: 'status', status, count: n }
    }
    case 'latency': {
      const ms = f.ms
      return typeof ms === 'number' && ms >= 0 ? { kind: 'latency', ms, count: n } : undefined
    }
    case 'drop':
      return { kind: 'drop', count: n }
    case 'rate-limit': {
      const sec = count(f.retryAfterSec)
      return sec === undefined ? undefined : { kind: 'rate-limit', count: n, retryAfterSec: sec }
    }
    default:
      return undefined
  }
}
