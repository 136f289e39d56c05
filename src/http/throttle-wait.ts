/**
 * Waiting out an upstream's "too many requests" where the caller is one long piece of work: a
 * reconciliation pass reads hundreds of pages in one job, and failing it on a 429 would read them
 * all again at the next interval. So a pass's call that is throttled (an UpstreamError coded
 * *_RATE_LIMITED, carrying the wait the upstream asked for) sleeps as told and asks again, up to
 * `waits` times in a row; a job's calls do not come here, since BullMQ owns their retries.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { UpstreamError } from '../errors.js'

/** When the upstream said to wait but not how long. */
const DEFAULT_WAIT_MS = 10_000
/** One wait is never longer than this: a longer ask fails the pass, which runs again later. */
const MAX_WAIT_MS = 5 * 60_000

export function isThrottled (err: unknown): err is UpstreamError {
  return err instanceof UpstreamError && err.code.endsWith('_RATE_LIMITED')
}

export async function waitOutThrottling<T> (attempt: () => Promise<T>, waits: number, onWait?: (ms: number, err: UpstreamError) => void): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt()
    } catch (err) {
      if (n >= waits || !isThrottled(err)) throw err
      const ms = err.retryAfterMs ?? DEFAULT_WAIT_MS
      if (ms > MAX_WAIT_MS) throw err
      onWait?.(ms, err)
      await sleep(ms)
    }
  }
}
