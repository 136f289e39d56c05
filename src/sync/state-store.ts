/**
 * What the service remembers per user, in Redis: the Enerflo id it is linked to, the state last
 * applied to Enerflo (the diff's baseline), a bounded audit trail, and whether it is parked as
 * unresolved. Also the counters and last outcomes that /status shows.
 */
import type { Redis } from 'ioredis'
import type { EnerfloUpdateBody, EnerfloUserFields } from '../mapping/types.js'
import { createLinks } from './links.js'
import { createStats, statName } from './stats.js'

export interface UserRecord {
  enerfloId: number | undefined
  /** The provider has returned this user at least once (so a later 404 means deleted). */
  seen: boolean
  applied: EnerfloUserFields | undefined
  /**
   * Fields of a PUT whose outcome is unknown (timed out, connection lost, worker killed): Enerflo
   * may or may not hold them, so the next sync sends them again whatever the baseline says.
   */
  inDoubt: EnerfloUserFields | undefined
}

export interface AuditEntry {
  at: string
  /** blocked: nothing sent; a role removal Enerflo refuses for attributed leads is pending (sync/blocked-removals.ts). */
  outcome: 'applied' | 'unchanged' | 'unresolved' | 'failed' | 'gone' | 'shadow' | 'held' | 'discarded' | 'blocked'
  eventIds: string[]
  fields?: string[]
  /** Old → new per field. Personal data: the ops route masks it unless asked to reveal. */
  changes?: Record<string, { from: unknown, to: unknown }>
  /** Shadow mode: the PUT body that would have been sent. */
  wouldSend?: EnerfloUpdateBody
  notes?: string[]
  /** Why a user is parked (unresolved): shown by /ops/unresolved. */
  reason?: string
  enerfloStatus?: number
  attempts?: number
  error?: { code: string, message: string }
}

export interface LastOutcome { at: string, userKey: string, fields?: string[], code?: string, message?: string }

/** One line of /status's recent activity: no values, so nothing personal beyond the user key. */
export interface RecentOutcome { at: string, userKey: string, outcome: AuditEntry['outcome'], fields: string[], code?: string }
const RECENT_MAX = 20

export interface StoreOptions {
  /** Audit entries kept per user (newest first). */
  auditMaxEntries?: number
  /** Audit entries older than this are not shown, and a trail untouched this long expires. */
  auditMaxAgeDays?: number
}

export function createStateStore (redis: Redis, prefix: string, opts: StoreOptions = {}) {
  const auditLength = opts.auditMaxEntries ?? 50
  const auditMaxAgeMs = (opts.auditMaxAgeDays ?? 90) * 24 * 3600 * 1000
  const userHash = (key: string): string => `${prefix}:user:${key}`
  const auditList = (key: string): string => `${prefix}:audit:${key}`
  const unresolvedSet = `${prefix}:unresolved`
  const unresolvedWhy = `${prefix}:unresolved:why`
  const stats = createStats(redis, prefix)
  const lastKey = (kind: 'success' | 'failure'): string => `${prefix}:last:${kind}`
  const recentList = `${prefix}:recent`

  const audit = (m: ReturnType<Redis['multi']>, key: string, entry: AuditEntry): void => {
    m.lpush(auditList(key), JSON.stringify(entry)).ltrim(auditList(key), 0, auditLength - 1).pexpire(auditList(key), auditMaxAgeMs)
    const recent: RecentOutcome = { at: entry.at, userKey: key, outcome: entry.outcome, fields: entry.fields ?? [], ...(entry.error !== undefined && { code: entry.error.code }) }
    m.lpush(recentList, JSON.stringify(recent)).ltrim(recentList, 0, RECENT_MAX - 1)
  }

  return {
    async get (key: string): Promise<UserRecord> {
      const [enerfloId, applied, inDoubt, seenAt] = await redis.hmget(userHash(key), 'enerfloId', 'applied', 'inDoubt', 'seenAt')
      return {
        enerfloId: enerfloId == null ? undefined : Number(enerfloId),
        // A user applied before seenAt existed was necessarily read from the provider then.
        seen: seenAt != null || applied != null,
        applied: applied == null ? undefined : JSON.parse(applied) as EnerfloUserFields,
        inDoubt: inDoubt == null ? undefined : JSON.parse(inDoubt) as EnerfloUserFields
      }
    },

    /** Written before every PUT; cleared only by a 2xx (recordApplied). */
    async markInDoubt (key: string, fields: EnerfloUserFields): Promise<void> {
      await redis.hset(userHash(key), 'inDoubt', JSON.stringify(fields))
    },

    async markSeen (key: string): Promise<void> {
      await redis.hset(userHash(key), 'seenAt', new Date().toISOString())
    },

    ...createLinks(redis, prefix, userHash, unresolvedSet),

    async recordApplied (key: string, applied: EnerfloUserFields, entry: AuditEntry): Promise<void> {
      const m = redis.multi()
        .hset(userHash(key), 'applied', JSON.stringify(applied), 'appliedAt', entry.at)
        .hdel(userHash(key), 'inDoubt')
        .zrem(unresolvedSet, key)
        .hdel(unresolvedWhy, key)
        .set(lastKey('success'), JSON.stringify({ at: entry.at, userKey: key, fields: entry.fields ?? [] }))
      stats.into(m, { [statName.sync('applied')]: 1 })
      audit(m, key, entry)
      await m.exec()
    },

    async recordOutcome (key: string, entry: AuditEntry): Promise<void> {
      const m = redis.multi()
      if (entry.outcome === 'unresolved') m.zadd(unresolvedSet, Date.now(), key).hset(unresolvedWhy, key, entry.reason ?? entry.notes?.at(-1) ?? 'no Enerflo user yet')
      else m.zrem(unresolvedSet, key).hdel(unresolvedWhy, key)
      if (entry.outcome === 'failed' && entry.error !== undefined) {
        m.set(lastKey('failure'), JSON.stringify({ at: entry.at, userKey: key, ...entry.error }))
      }
      stats.into(m, { [statName.sync(entry.outcome)]: 1 })
      audit(m, key, entry)
      await m.exec()
    },

    async auditTrail (key: string): Promise<AuditEntry[]> {
      const rows = await redis.lrange(auditList(key), 0, -1)
      const oldest = Date.now() - auditMaxAgeMs
      return rows.map((r) => JSON.parse(r) as AuditEntry).filter((e) => Date.parse(e.at) >= oldest)
    },

    async unresolved (limit = 100, offset = 0): Promise<{ count: number, users: Array<{ userKey: string, since: string, reason: string }> }> {
      const [count, rows] = await Promise.all([redis.zcard(unresolvedSet), redis.zrange(unresolvedSet, offset, offset + limit - 1, 'WITHSCORES')])
      const keys: string[] = []
      for (let i = 0; i + 1 < rows.length; i += 2) keys.push(rows[i] as string)
      const why = keys.length > 0 ? await redis.hmget(unresolvedWhy, ...keys) : []
      const users = keys.map((userKey, i) => ({ userKey, since: new Date(Number(rows[2 * i + 1])).toISOString(), reason: why[i] ?? 'no Enerflo user yet' }))
      return { count, users }
    },

    async isUnresolved (key: string): Promise<boolean> {
      return (await redis.zscore(unresolvedSet, key)) !== null
    },

    async lastOutcomes (): Promise<{ success: LastOutcome | undefined, failure: LastOutcome | undefined }> {
      const [s, f] = await redis.mget(lastKey('success'), lastKey('failure'))
      return {
        success: s === null || s === undefined ? undefined : JSON.parse(s) as LastOutcome,
        failure: f === null || f === undefined ? undefined : JSON.parse(f) as LastOutcome
      }
    },

    /** The last sync outcomes of any user, newest first (capped at RECENT_MAX). */
    async recent (limit = 10): Promise<RecentOutcome[]> {
      return (await redis.lrange(recentList, 0, limit - 1)).map((r) => JSON.parse(r) as RecentOutcome)
    },

    /** The counters (src/sync/stats.ts owns them; kept here for the routes that read both). */
    stats: stats.read,

    statsKey: stats.hash,
    eventKey: (source: string, eventId: string): string => `${prefix}:event:${source}:${eventId}`
  }
}

export type StateStore = ReturnType<typeof createStateStore>
