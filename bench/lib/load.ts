/**
 * One closed-loop load run with autocannon: `connections` clients each send a request, wait for
 * the answer, send the next, for `durationS`. Bodies come from makeBody() per request.
 * autocannon's own histogram keeps whole milliseconds, too coarse at 1 connection, so latencies
 * of 2xx answers are taken from its `response` events (fractional ms) and ranked here.
 */
import autocannon from 'autocannon'
import { percentile } from './stats.js'

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  max: number
  /** Connection errors, timeouts and non-2xx answers together. */
  errors: number
  total: number
}

const MAX_SAMPLES = 2_000_000

export async function runLoad (opts: { url: string, connections: number, durationS: number, headers: Record<string, string>, makeBody: () => string }): Promise<LoadResult> {
  const samples: number[] = []
  let instance: autocannon.Instance | undefined
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({
      url: opts.url,
      connections: opts.connections,
      duration: opts.durationS,
      timeout: 10,
      requests: [{
        method: 'POST',
        headers: { 'content-type': 'application/json', ...opts.headers },
        setupRequest: (req) => ({ ...req, body: opts.makeBody() })
      }]
    }, (err, result) => { if (err !== null && err !== undefined) reject(err); else resolve(result) })
  })
  instance?.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300 && samples.length < MAX_SAMPLES) samples.push(ms)
  })
  const result = await done
  return {
    rps: result['2xx'] / result.duration,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.reduce((m, x) => Math.max(m, x), 0),
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total
  }
}
