/**
 * The worker of the group-change queue: lists the group's members in Graph now, compares them
 * with the last known members, and enqueues an ordinary sync job for every user who joined or
 * left. The sync job reads the user's groups itself, so the role or office is added or removed
 * by the same rules (and brakes) as any other change; nothing here writes to Enerflo. Jobs are
 * stored before the new member list, so a crash in between only repeats work.
 */
import { Worker, type Job, type Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { GroupsApi } from '../src/graph/groups-api.js'
import { memberChange, type GroupMembers } from '../src/graph/group-members.js'
import { enqueueSyncJobs, type SyncJobData } from './sync-queue.js'
import { GRAPH_GROUP_QUEUE, type GraphGroupJob } from './graph-group-queue.js'

export interface GroupChangeDeps {
  groups: GroupsApi
  members: GroupMembers
  syncQueue: Queue<SyncJobData>
  attempts: number
  log: { info: (obj: object, msg: string) => void }
}

const CHUNK = 500

export function processGroupChange (deps: GroupChangeDeps) {
  return async (job: Job<GraphGroupJob>): Promise<string> => {
    const { groupId, receivedAt } = job.data
    const before = await deps.members.get(groupId)
    // No snapshot: we keep no subscription on this group (no longer mapped, or never was).
    if (before === undefined) return 'not subscribed'
    const now = await deps.groups.memberIds(groupId)
    // A deleted group: everyone in it left (each sync reads the user's groups as they are now).
    const { added, removed } = memberChange(before, now ?? [])
    // memberIds() keeps only ids that pass the id rule, so these can be addressed everywhere.
    const users = [...added, ...removed]
    for (let i = 0; i < users.length; i += CHUNK) {
      const jobs = users.slice(i, i + CHUNK).map((userId): SyncJobData => ({ source: 'graph', userId, eventIds: [], receivedAt }))
      await enqueueSyncJobs(deps.syncQueue, jobs, { attempts: deps.attempts })
    }
    if (now === null) await deps.members.remove(groupId)
    else await deps.members.save(groupId, now)
    deps.log.info({ groupId, added: added.length, removed: removed.length, deleted: now === null }, 'graph group membership compared')
    return `${added.length} added, ${removed.length} removed`
  }
}

export function createGraphGroupWorker (opts: GroupChangeDeps & { connection: Redis, prefix: string }): Worker<GraphGroupJob> {
  return new Worker<GraphGroupJob>(GRAPH_GROUP_QUEUE, processGroupChange(opts), {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: 2,
    autorun: false
  })
}
