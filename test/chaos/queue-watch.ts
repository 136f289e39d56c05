/**
 * The chaos run's view of the queue, from its own Redis connection: job counts, when it has
 * drained, which worker (BullMQ worker id, from the lock tokens) holds the active jobs, the jobs
 * that failed for good, and BullMQ's stalled and deduplicated events as they happen.
 */
import type { Queue, QueueEvents } from 'bullmq'
import type { Redis } from 'ioredis'

const BUSY = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const

/**
 * `deliveries` is the queue the receivers store into (queues/delivery-queue.ts): the run has
 * drained only once every stored delivery is fanned out too, and a delivery failed for good is a
 * change lost.
 */
export function createQueueWatch (queue: Queue, events: QueueEvents, redis: Redis, prefix: string, deliveries: Queue) {
  const seen = { stalled: [] as number[], deduplicated: 0 }
  events.on('stalled', () => { seen.stalled.push(Date.now()) })
  events.on('deduplicated', () => { seen.deduplicated++ })

  const counts = async (): Promise<Record<string, number>> => {
    const [sync, stored] = await Promise.all([queue.getJobCounts(...BUSY), deliveries.getJobCounts('waiting', 'active', 'delayed')])
    return { ...sync, ...Object.fromEntries(Object.entries(stored).map(([k, v]) => [`deliveries ${k}`, v])) }
  }

  return {
    seen,
    counts,
    /** Waits until nothing is waiting, active or delayed three polls in a row; ms it took. */
    async drained (limitMs: number): Promise<number> {
      const start = Date.now()
      let quiet = 0
      let last: Record<string, number> = {}
      while (Date.now() - start < limitMs) {
        last = await counts()
        quiet = Object.values(last).every((n) => n === 0) ? quiet + 1 : 0
        if (quiet >= 3) return Date.now() - start
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
      throw new Error(`the queue did not drain within ${limitMs} ms: ${JSON.stringify(last)}`)
    },
    /** BullMQ worker ids holding a lock on an active job (a lock token is `<worker id>:<n>`). */
    async activeOwners (): Promise<Map<string, number>> {
      const ids = (await queue.getActive()).map((j) => j.id).filter((id): id is string => id !== undefined)
      const owners = new Map<string, number>()
      if (ids.length === 0) return owners
      const tokens = await redis.mget(...ids.map((id) => `${prefix}:${queue.name}:${id}:lock`))
      for (const token of tokens) {
        if (token === null) continue
        const owner = token.slice(0, token.lastIndexOf(':'))
        owners.set(owner, (owners.get(owner) ?? 0) + 1)
      }
      return owners
    },
    async failed (): Promise<Array<{ id: string | undefined, reason: string, user: string }>> {
      const jobs = await queue.getFailed(0, 50)
      return jobs.map((j) => ({ id: j.id, reason: j.failedReason, user: `${String(j.data?.source)}:${String(j.data?.userId)}` }))
    },
    failedCount: async (): Promise<number> => await queue.getFailedCount(),
    /** Deliveries whose fan-out failed every try: none may be. */
    failedDeliveries: async (): Promise<number> => await deliveries.getFailedCount()
  }
}

export type QueueWatch = ReturnType<typeof createQueueWatch>
