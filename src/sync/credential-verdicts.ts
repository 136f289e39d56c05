/**
 * The credential checks' last results, in Redis so every process (receivers, workers, /readyz,
 * /status) sees the same verdict, whichever process ran the check. Also the gate the worker asks
 * before a job: while its source's credential or Enerflo's is known bad the job waits (no attempt
 * spent) and is remembered, so a passing check can wake exactly those jobs at once.
 */
import type { Redis } from 'ioredis'
import { Job, type Queue } from 'bullmq'
import type { CredentialCheck } from './credentials.js'

/** How long a held job waits before it looks again, if no passing check wakes it first. */
export const HOLD_MS = 2 * 60_000

export interface CredentialGate {
  /** The credential that keeps this job waiting (and remembers the job), or undefined to go on. */
  holdIfBad: (source: string, jobId: string) => Promise<{ name: string, retryInMs: number } | undefined>
}

export interface CredentialVerdicts extends CredentialGate {
  save: (results: CredentialCheck[]) => Promise<void>
  /** Every stored result, by name. */
  all: () => Promise<CredentialCheck[]>
  /** Wakes the jobs held while a credential was bad; how many were woken. */
  release: (queue: Queue) => Promise<number>
}

function parse (raw: string | null | undefined): CredentialCheck | undefined {
  if (raw === null || raw === undefined) return undefined
  try { return JSON.parse(raw) as CredentialCheck } catch { return undefined }
}

export function createCredentialVerdicts (redis: Redis, prefix: string): CredentialVerdicts {
  const key = `${prefix}:credentials`
  const heldKey = `${prefix}:credentials:held`
  return {
    async save (results) {
      if (results.length === 0) return
      await redis.hset(key, Object.fromEntries(results.map((r) => [r.name, JSON.stringify(r)])))
    },
    async all () {
      const raw = await redis.hgetall(key)
      return Object.values(raw).map(parse).filter((r) => r !== undefined).sort((a, b) => a.name.localeCompare(b.name))
    },
    async holdIfBad (source, jobId) {
      let verdicts: Array<string | null>
      try {
        verdicts = await redis.hmget(key, source, 'enerflo')
      } catch {
        // Without Redis the job cannot run anyway; its own calls say why.
        return undefined
      }
      const bad = verdicts.map(parse).find((v) => v?.blocking === true)
      if (bad === undefined) return undefined
      await redis.sadd(heldKey, jobId)
      return { name: bad.name, retryInMs: HOLD_MS }
    },
    async release (queue) {
      const ids = await redis.smembers(heldKey)
      let woken = 0
      for (const id of ids) {
        const job = await Job.fromId(queue, id)
        // Only a job still waiting on its hold: one already running or done is left alone.
        if (job !== undefined && await job.isDelayed()) {
          await job.promote().then(() => { woken++ }, () => {})
        }
      }
      if (ids.length > 0) await redis.srem(heldKey, ...ids)
      return woken
    }
  }
}
