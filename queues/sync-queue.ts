/**
 * The one queue: "make Enerflo match what source S says about user X now". Jobs are
 * level-triggered, so one job per (source, user) is enough: BullMQ deduplicates on that key with
 * keepLastIfActive, which keeps at most one active and one waiting job per user and never lets two
 * workers apply the same user at once. Job data holds ids and timestamps only, no personal data.
 */
import { randomBytes } from 'node:crypto'
import type { JobsOptions, Queue } from 'bullmq'
import { laneOptions, raiseDeduplicated, type Added, type Lane } from './sync-lanes.js'

export const SYNC_QUEUE = 'user-sync'
export const SYNC_JOB = 'sync-user'

export { userKey, type Source } from '../src/sync/source.js'
import { userKey, type Source } from '../src/sync/source.js'

export interface SyncJobData {
  source: Source
  /** The provider's user id (Okta `00u…`, Entra object id). */
  userId: string
  /** Provider event ids that asked for this sync (audit and duplicate accounting only). */
  eventIds: string[]
  /** When our receiver accepted the delivery (ms since epoch). */
  receivedAt: number
  /** Which lane it waits in (queues/sync-lanes.ts); live when unsaid. Not stored in the job. */
  lane?: Lane
  /** The reconciliation run that queued it: the brake counts a pass's destructive changes. */
  run?: string
}

export interface SyncJobSettings {
  attempts: number
}

/**
 * Each add names its own job id, so an add whose answer carries another id was deduplicated into
 * a job already there, and only that add needs a read to see the waiting job's lane: a fresh add
 * (nearly every webhook) costs one round trip, not two. `<start>-<tag>-<n>`: unique within a
 * process by the counter, across restarts by the time the process started (base 36, ms) and across
 * processes by a random tag; never an integer and never a ':' (BullMQ refuses both); short enough
 * to type in `retry <id>` (about 20 characters). The prefix is built once: formatting the clock
 * for every job cost more than the rest of the id.
 */
const ID_PREFIX = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}-`
let jobSeq = 0
export function freshJobId (): string {
  jobSeq = (jobSeq + 1) % Number.MAX_SAFE_INTEGER
  return ID_PREFIX + jobSeq.toString(36)
}

// The options every job shares, built once: BullMQ only reads them (Backoffs.normalize returns an
// object backoff as it is), so one object serves every add instead of a fresh one per call.
const BACKOFF = { type: 'jittered' } as const
/**
 * Finished jobs are evidence for operators, not state: keep a day of successes and a week of
 * failures, bounded by count so a flood cannot fill Redis. These are the sync worker's options
 * (queues/sync-worker.ts), which BullMQ applies to every job that does not say its own: carried in
 * each job they were packed into every add (a share of each webhook's CPU) to say the same thing.
 */
export const REMOVE_ON_COMPLETE = { age: 24 * 3600, count: 5000 } as const
export const REMOVE_ON_FAIL = { age: 7 * 24 * 3600, count: 20000 } as const

export function syncJobOptions (data: SyncJobData, settings: SyncJobSettings): JobsOptions {
  const opts: JobsOptions = {
    jobId: freshJobId(),
    attempts: settings.attempts,
    backoff: BACKOFF,
    deduplication: { id: userKey(data.source, data.userId), keepLastIfActive: true }
  }
  // The lane's options (queues/sync-lanes.ts laneOptions): live, the usual lane, adds none.
  const lane = data.lane ?? 'live'
  if (lane !== 'live') Object.assign(opts, laneOptions(lane))
  return opts
}

/** What a job stores: its lane is in its options, not its data. */
function stored (data: SyncJobData): SyncJobData {
  if (data.lane === undefined) return data
  // A plain copy without the lane: object rest compiles to a helper (tslib's __rest) that also
  // walks symbols, which job data (stored as JSON) never has.
  const rest: Record<string, unknown> = {}
  for (const key in data) {
    if (key !== 'lane' && Object.hasOwn(data, key)) rest[key] = data[key as keyof SyncJobData]
  }
  return rest as unknown as SyncJobData
}

/**
 * Adds every job of one delivery in one Redis round trip, then raises any waiting job that a
 * higher-lane add was deduplicated into (queues/sync-lanes.ts). Only an add whose answer names
 * another job than its own was deduplicated; a delivery of fresh adds (nearly every webhook) goes
 * no further than the add.
 */
export async function enqueueSyncJobs (queue: Queue<SyncJobData>, jobs: SyncJobData[], settings: SyncJobSettings): Promise<void> {
  const [first] = jobs
  if (first === undefined) return
  // One job (most deliveries) is one script call; addBulk wraps even one job in a MULTI, and
  // ioredis builds every MULTI by copying each of BullMQ's scripts onto it.
  if (jobs.length === 1) {
    const opts = syncJobOptions(first, settings)
    const job = await queue.add(SYNC_JOB, stored(first), opts)
    if (job.id !== opts.jobId) await raiseDeduplicated(queue as Queue, [{ id: job.id, fresh: false, lane: first.lane ?? 'live' }])
    return
  }
  const entries = jobs.map((data) => ({ name: SYNC_JOB, data: stored(data), opts: syncJobOptions(data, settings) }))
  const added = await queue.addBulk(entries)
  const deduplicated: Added[] = []
  for (let i = 0; i < added.length; i++) {
    const id = added[i]?.id
    if (id !== entries[i]?.opts.jobId) deduplicated.push({ id, fresh: false, lane: jobs[i]?.lane ?? 'live' })
  }
  if (deduplicated.length > 0) await raiseDeduplicated(queue as Queue, deduplicated)
}

/**
 * Exponential backoff with jitter: base, 2×base, 4×base … capped at 5 minutes, each drawn at
 * random between half and all of its ceiling so that many users failing together do not retry
 * together, and none retries at once.
 */
export function jitteredBackoff (attemptsMade: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(5 * 60_000, baseMs * 2 ** Math.max(0, attemptsMade - 1))
  return Math.round(ceiling * (0.5 + random() / 2))
}
