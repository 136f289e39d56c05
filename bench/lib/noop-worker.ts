/**
 * BullMQ's own processing rate on the sync queue: a Worker whose processor does nothing, same
 * queue, prefix and concurrency as the service's. Runs WARM_MS, counts completions for
 * MEASURE_MS, prints {"jobsPerSecond": n} and exits. Started by bench/queue-scale.ts.
 */
import { Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { SYNC_QUEUE } from '../../queues/sync-queue.js'

const env = (name: string, dflt: string): string => process.env[name] ?? dflt
const connection = new Redis(env('REDIS_URL', 'redis://127.0.0.1:6379'), { maxRetriesPerRequest: null })
let done = 0
const worker = new Worker(SYNC_QUEUE, async () => {}, {
  connection, prefix: env('QUEUE_PREFIX', 'bench'), concurrency: Number(env('WORKER_CONCURRENCY', '4'))
})
worker.on('completed', () => { done++ })
await new Promise((resolve) => setTimeout(resolve, Number(env('WARM_MS', '2000'))))
const from = done
const measureMs = Number(env('MEASURE_MS', '10000'))
await new Promise((resolve) => setTimeout(resolve, measureMs))
const jobsPerSecond = (done - from) / (measureMs / 1000)
await worker.close()
connection.disconnect()
process.stdout.write(`${JSON.stringify({ jobsPerSecond })}\n`)
process.exit(0)
