/**
 * Counts what a delivery held, and which of its event ids were seen before (providers deliver at
 * least once). Runs after the jobs are stored: a repeated event never needs to be dropped for
 * correctness, because jobs are level-triggered and an unchanged user costs no Enerflo call.
 * `recordDelivery` is not awaited by the receivers: the answer does not wait for bookkeeping.
 */
import type { FastifyInstance } from 'fastify'

const SEEN_TTL_S = 7 * 24 * 3600

export async function countDuplicates (app: FastifyInstance, source: string, eventIds: string[], counts: { ignored: number, noUser: number, users: number }): Promise<number> {
  const stats = app.store.statsKey
  const m = app.redis.multi()
  for (const id of eventIds) m.set(app.store.eventKey(source, id), '1', 'EX', SEEN_TTL_S, 'NX')
  m.hincrby(stats, `${source}.deliveries`, 1)
    .hincrby(stats, `${source}.events.user-change`, eventIds.length)
    .hincrby(stats, `${source}.events.ignored`, counts.ignored)
    .hincrby(stats, `${source}.events.no-user`, counts.noUser)
    .hincrby(stats, `${source}.jobs.enqueued`, counts.users)
    .hset(`${stats}:last-event`, source, new Date().toISOString())
  const results = (await m.exec()) ?? []
  const duplicates = results.slice(0, eventIds.length).filter(([, v]) => v !== 'OK').length
  // Usually none: a second round trip only when a repeat was seen.
  if (duplicates > 0) await app.redis.hincrby(stats, `${source}.events.duplicate`, duplicates)
  return duplicates
}

/** Fire and forget: counts the delivery, logs (never throws) when Redis cannot take it. */
export function recordDelivery (app: FastifyInstance, log: { warn: (o: object, m: string) => void }, source: string, eventIds: string[], counts: { ignored: number, noUser: number, users: number }): void {
  countDuplicates(app, source, eventIds, counts).then(
    (duplicates) => { if (duplicates > 0) app.metrics.events.inc({ source, type: 'any', outcome: 'duplicate' }, duplicates) },
    (err: Error) => { log.warn({ err: { message: err.message } }, 'delivery accounting failed') }
  )
}
