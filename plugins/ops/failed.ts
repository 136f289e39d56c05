/**
 * Dead letters: jobs that failed for good, with the reason an operator can act on; retry (a fresh
 * job that re-reads the provider, so it can never apply anything stale) or discard them, by id or
 * by filter, with dryRun to see what would happen first.
 */
import fp from 'fastify-plugin'
import { Type, type Static } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Job } from 'bullmq'
import { SyncError } from '../../src/errors.js'
import { maskText } from '../../src/mask.js'
import { ErrorReply } from '../core/error-handler.js'
import { FailedAction, FailedActionReply, FailedFilter, FailedJob, Paging } from './schemas.js'
import { storeJobs } from '../webhooks/store-jobs.js'
import type { SyncJobData } from '../../queues/sync-queue.js'
import { userKey } from '../../src/sync/source.js'
import { parseFailure } from '../../src/sync/failure-reason.js'

/** BullMQ keeps at most this many failed jobs (removeOnFail), so one scan sees them all. */
const SCAN_LIMIT = 20_000
/** Up to 1,000 job ids and a filter: far below the global 1 MiB. */
const ACTION_BODY_LIMIT = 64 * 1024

type Filter = { code?: string, source?: string, since?: string, until?: string, jobIds?: string[] }

export function describeFailed (job: Job<SyncJobData>): Static<typeof FailedJob> {
  const failure = parseFailure(job.failedReason ?? '')
  return {
    jobId: String(job.id),
    userKey: userKey(job.data.source, job.data.userId),
    source: job.data.source,
    userId: job.data.userId,
    code: failure.code,
    reason: failure.message,
    failedAt: new Date(job.finishedOn ?? job.timestamp).toISOString(),
    attempts: job.attemptsMade,
    eventIds: job.data.eventIds
  }
}

export default fp(async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  async function matching (filter: Filter): Promise<Array<Job<SyncJobData>>> {
    if (filter.jobIds === undefined && filter.code === undefined && filter.source === undefined && filter.since === undefined && filter.until === undefined) {
      throw new SyncError('OPS_BAD_REQUEST', 'say which dead letters: jobIds, or a filter (code, source, since, until)', 400)
    }
    const jobs = filter.jobIds !== undefined
      ? (await Promise.all(filter.jobIds.map(async (id) => await app.syncQueue.getJob(id)))).filter((j): j is Job<SyncJobData> => j !== undefined && j.failedReason !== undefined && j.finishedOn !== undefined)
      : await app.syncQueue.getFailed(0, SCAN_LIMIT - 1)
    const since = filter.since === undefined ? -Infinity : Date.parse(filter.since)
    const until = filter.until === undefined ? Infinity : Date.parse(filter.until)
    return jobs.filter((job) => {
      const d = describeFailed(job)
      const at = Date.parse(d.failedAt)
      return (filter.code === undefined || d.code === filter.code) && (filter.source === undefined || d.source === filter.source) && at >= since && at <= until
    })
  }

  r.get('/ops/failed', {
    onRequest: app.opsAuth,
    schema: {
      querystring: Type.Object({ ...FailedFilter, ...Paging, reveal: Type.Boolean({ default: false }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ total: Type.Integer(), jobs: Type.Array(FailedJob) }), '4xx': ErrorReply }
    }
  }, async (request) => {
    const { offset, limit, reveal, ...filter } = request.query
    // Listing needs no filter: everything that failed is what an operator asks for first.
    const jobs = (await matching({ ...filter, since: filter.since ?? new Date(0).toISOString() })).map(describeFailed).sort((a, b) => b.failedAt.localeCompare(a.failedAt))
    // Enerflo's reasons can quote an email or a phone: masked unless asked for (and logged).
    if (reveal) request.log.info('operator revealed personal data in dead letters')
    const page = jobs.slice(offset, offset + limit).map((j) => reveal ? j : { ...j, reason: maskText(j.reason) })
    return { total: jobs.length, jobs: page }
  })

  r.post('/ops/failed/retry', {
    onRequest: app.opsAuth,
    bodyLimit: ACTION_BODY_LIMIT,
    schema: { body: FailedAction, response: { 200: FailedActionReply, '4xx': ErrorReply, '5xx': ErrorReply } }
  }, async (request) => {
    const jobs = await matching(request.body)
    const jobIds = jobs.map((j) => String(j.id))
    if (request.body.dryRun === true || jobs.length === 0) return { dryRun: request.body.dryRun === true, matched: jobs.length, jobIds }
    // A fresh job per user rather than job.retry(): it goes through the same per-user
    // deduplication, so it can never run beside a newer job for that user.
    const byUser = new Map<string, SyncJobData>()
    for (const j of jobs) {
      const key = userKey(j.data.source, j.data.userId)
      const prev = byUser.get(key)
      byUser.set(key, { source: j.data.source, userId: j.data.userId, eventIds: [...(prev?.eventIds ?? []), ...j.data.eventIds], receivedAt: Date.now() })
    }
    await storeJobs(app, [...byUser.values()])
    await Promise.all(jobs.map(async (j) => await j.remove()))
    request.log.info({ count: jobs.length }, 'dead letters retried')
    return { dryRun: false, matched: jobs.length, jobIds }
  })

  r.post('/ops/failed/discard', {
    onRequest: app.opsAuth,
    bodyLimit: ACTION_BODY_LIMIT,
    schema: { body: FailedAction, response: { 200: FailedActionReply, '4xx': ErrorReply } }
  }, async (request) => {
    const jobs = await matching(request.body)
    if (request.body.dryRun !== true) await Promise.all(jobs.map(async (j) => await j.remove()))
    return { dryRun: request.body.dryRun === true, matched: jobs.length, jobIds: jobs.map((j) => String(j.id)) }
  })
}, { name: 'ops-failed', dependencies: ['sync-services', 'ops-auth', 'error-handler'] })
