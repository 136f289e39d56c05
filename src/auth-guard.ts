/**
 * Failed-authentication throttling per client address. Only failures are counted and only
 * failures are ever refused: a request with the right secret always passes, so a provider that
 * shares an address with a noisy client is never limited. In memory, per process: it slows
 * guessing and keeps a flood of bad requests cheap; it is not an account lockout.
 */
export interface AuthGuard {
  /** Records a failure; returns ms to wait when this address is over the limit, else 0. */
  fail: (address: string) => number
}

export function createAuthGuard (opts: { max: number, windowMs: number, maxAddresses?: number, now?: () => number }): AuthGuard {
  const now = opts.now ?? Date.now
  const maxAddresses = opts.maxAddresses ?? 10_000
  const failures = new Map<string, number[]>()
  return {
    fail (address) {
      const t = now()
      const recent = (failures.get(address) ?? []).filter((at) => at > t - opts.windowMs)
      recent.push(t)
      // Re-insert so the Map's order is least recently failing first; evict from that end.
      failures.delete(address)
      failures.set(address, recent.slice(-opts.max - 1))
      if (failures.size > maxAddresses) failures.delete(failures.keys().next().value as string)
      if (recent.length <= opts.max) return 0
      return Math.max(1, (recent[recent.length - opts.max - 1] ?? t) + opts.windowMs - t)
    }
  }
}
