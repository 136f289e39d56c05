/**
 * Puts a delivery's jobs into Redis for a receiver, or says why it could not: any failure, or no
 * answer within the deadline, is a 503 so the provider delivers again. Never a 2xx for jobs that
 * are not stored.
 */
import type { FastifyInstance } from 'fastify'
import { SyncError } from '../src/errors.js'
import { enqueueSyncJobs, type SyncJobData } from '../queues/sync-queue.js'

const DEADLINE_MS = 2000

export async function storeJobs (app: FastifyInstance, jobs: SyncJobData[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('Redis did not answer in time')), DEADLINE_MS)
  })
  try {
    await Promise.race([enqueueSyncJobs(app.syncQueue, jobs, { attempts: app.config.JOB_ATTEMPTS }), deadline])
  } catch (err) {
    app.log.error({ err: { message: (err as Error).message } }, 'could not store jobs')
    throw new SyncError('QUEUE_UNAVAILABLE', 'the queue (Redis) is unavailable; nothing was stored, try again', 503, { cause: err })
  } finally {
    clearTimeout(timer)
  }
}
