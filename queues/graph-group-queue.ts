/**
 * The queue of group-membership changes: one job per mapped group that Graph said changed. The
 * job is level-triggered like a sync job ("compare this group's members now with the last
 * known"), so one waiting job per group is enough: jobs are deduplicated on the group with
 * keepLastIfActive, a burst of notifications becomes one listing, and two workers never compare
 * the same group at once. The receiver only stores these; the worker calls Graph.
 */
import type { JobsOptions, Queue } from 'bullmq'

export const GRAPH_GROUP_QUEUE = 'graph-group-changes'
export const GRAPH_GROUP_JOB = 'group-changed'

export interface GraphGroupJob {
  groupId: string
  /** When our receiver accepted the notification (ms since epoch); passed on to the sync jobs. */
  receivedAt: number
}

const OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 }
}

/** Stores one job per distinct group id, in one round trip. Call it with the ids from groupIdOf(). */
export async function enqueueGroupChanges (queue: Queue<GraphGroupJob>, groupIds: Iterable<string>, receivedAt = Date.now()): Promise<void> {
  const ids = [...new Set(groupIds)]
  if (ids.length === 0) return
  await queue.addBulk(ids.map((groupId) => ({
    name: GRAPH_GROUP_JOB,
    data: { groupId, receivedAt },
    opts: { ...OPTIONS, deduplication: { id: `group:${groupId}`, keepLastIfActive: true } }
  })))
}
