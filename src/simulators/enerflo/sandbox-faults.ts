/**
 * Injected failures for the sandbox: a FIFO of faults, each good for `count` calls of its target
 * (PUTs unless it says `on`), so a test can say "the next two updates get a 503, then one is
 * dropped" and watch the worker cope, while the reads around them go through.
 */
import type { FaultTarget, SandboxFault } from './sandbox-types.js'

export interface FaultQueue {
  push (fault: SandboxFault): void
  /** The fault the next call of this kind suffers, if any; spends one of its count. */
  take (target: Exclude<FaultTarget, 'any'>): SandboxFault | undefined
  pending (): number
  clear (): void
}

export function createFaultQueue (): FaultQueue {
  const queue: Array<{ fault: SandboxFault, left: number }> = []
  return {
    push (fault) {
      if (fault.count > 0) queue.push({ fault: { ...fault }, left: fault.count })
    },
    take (target) {
      const i = queue.findIndex((q) => (q.fault.on ?? 'put') === target || q.fault.on === 'any')
      const head = queue[i]
      if (head === undefined) return undefined
      if (--head.left <= 0) queue.splice(i, 1)
      return head.fault
    },
    pending () { return queue.reduce((n, q) => n + q.left, 0) },
    clear () { queue.length = 0 }
  }
}

function count (v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined
}

const TARGETS: readonly unknown[] = ['put', 'post', 'get', 'any']

/** Checks a fault that arrived over HTTP; undefined when it is not one. */
export function parseFault (v: unknown): SandboxFault | undefined {
  if (v === null || typeof v !== 'object') return undefined
  const f = v as Record<string, unknown>
  if (f.on !== undefined && !TARGETS.includes(f.on)) return undefined
  const kind = parseKind(f)
  return kind === undefined || f.on === undefined ? kind : { ...kind, on: f.on as FaultTarget }
}

function parseKind (f: Record<string, unknown>): SandboxFault | undefined {
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
