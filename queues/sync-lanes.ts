/**
 * Lanes (DESIGN.md §1): three lanes in the one sync queue, so a termination never waits behind a
 * backfill while all three still share one budget and one limiter. BullMQ runs its wait list
 * before any prioritised job (FACTS.md §6), so: deactivate = the head of the wait list (lifo),
 * live = the wait list in arrival order, reconcile = prioritised. A webhook's add stays O(1)
 * and a backlog of thousands of reconcile jobs never stands in front of either.
 *
 * Deduplication drops an add while a job for the user waits, so an add in a higher lane than the
 * waiting job's raises that job (`changePriority`) instead of being lost. While the user's job is
 * active, keepLastIfActive keeps the newest add as the next job, with that add's own options.
 */
import { Job, type JobsOptions, type Queue } from 'bullmq'

export type Lane = 'deactivate' | 'live' | 'reconcile'

export const LANES: readonly Lane[] = ['deactivate', 'live', 'reconcile']

/** Lower runs first. */
const RANK: Readonly<Record<Lane, number>> = { deactivate: 0, live: 1, reconcile: 2 }

/** The BullMQ options that put a job in its lane. */
export function laneOptions (lane: Lane): Pick<JobsOptions, 'priority' | 'lifo'> {
  if (lane === 'deactivate') return { lifo: true }
  return lane === 'reconcile' ? { priority: 1 } : {}
}

/** The lane a stored job waits in (a raised job reads as its new lane, or live). */
export function laneOfJob (job: Pick<Job, 'priority' | 'opts'>): Lane {
  if (job.priority > 0) return 'reconcile'
  return job.opts.lifo === true ? 'deactivate' : 'live'
}

/** Okta events that say a user is (about to be) no longer active: the deactivate lane at once. */
const DEACTIVATING_OKTA_EVENTS: ReadonlySet<string> = new Set([
  'user.lifecycle.deactivate',
  'user.lifecycle.suspend',
  'user.lifecycle.delete.initiated'
])

export function laneOfOktaEvent (eventType: string): Lane {
  return DEACTIVATING_OKTA_EVENTS.has(eventType) ? 'deactivate' : 'live'
}

/** What job id its add returned, whether that is the add's own (a fresh job), and its lane. */
export interface Added { id: string | undefined, fresh?: boolean, lane: Lane }

/**
 * Raises every waiting job that an add was deduplicated into when the add asked for a higher
 * lane. A fresh add (its own id came back) is in its own lane and is never read, nor is a reconcile
 * add (the lowest lane); any other costs one HGETALL. changePriority moves the job only if it is still waiting: one
 * that became active meanwhile is left alone. A job raised to deactivate keeps `lifo` unset in
 * its options, so it reads as live and a later deactivation moves it to the head again: harmless.
 */
export async function raiseDeduplicated (queue: Queue, added: Added[]): Promise<number> {
  const raised = await Promise.all(added.map(async ({ id, fresh, lane }) => {
    if (id === undefined || fresh === true || lane === 'reconcile') return 0
    const stored = await Job.fromId(queue, id)
    if (stored === undefined || RANK[laneOfJob(stored)] <= RANK[lane]) return 0
    await stored.changePriority({ priority: 0, lifo: lane === 'deactivate' })
    return 1
  }))
  return raised.reduce<number>((a, b) => a + b, 0)
}
