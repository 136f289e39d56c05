/**
 * The service's copy of Enerflo's user list, in Redis: who exists, their email (lower-cased, for
 * matching), name, active, roles as Role Names, `external_user_id`, and when it was read. Matching
 * by email, conflict checks and drift repair read it instead of asking Enerflo user by user.
 *
 * A refresh reads every page of active users and then of inactive ones (Enerflo lists inactive
 * users only with status=inactive), each read inside the shared Enerflo budget, and swaps the new
 * copy in at once (RENAME), so a reader never sees half a directory. All keys share the store's
 * prefix, so with a `{hash-tag}` prefix they sit in one Redis Cluster slot.
 */
import type { Redis } from 'ioredis'
import type { EnerfloUserFields } from '../mapping/types.js'

export interface DirectoryUser extends EnerfloUserFields {
  id: number
  active: boolean
  roles: string[]
  external_user_id?: string
  /** Slugs Enerflo returned that the role table has no name for (shown, never sent). */
  unknownSlugs?: string[]
}

export interface DirectoryPage { users: DirectoryUser[], totalPages: number }

/** What a refresh needs from Enerflo: one page of users, active or inactive. */
export interface DirectorySource {
  listUsers: (page: number, status: 'active' | 'inactive') => Promise<DirectoryPage>
}

export interface RefreshResult { users: number, reads: number, readAt: string }

const MAX_PAGES = 10_000

export function createDirectory (redis: Redis, prefix: string) {
  const users = `${prefix}:dir:users`
  const emails = `${prefix}:dir:emails`
  const meta = `${prefix}:dir:meta`
  const next = (key: string): string => `${key}:next`

  return {
    /**
     * Reads all of Enerflo's users (active, then inactive pages) into a fresh copy and swaps it in.
     * `acquire` waits for a slot of the shared budget before each read; `onPage` reports progress.
     */
    async refresh (source: DirectorySource, acquire: () => Promise<void>, onPage: (read: number, total: number) => void = () => {}): Promise<RefreshResult> {
      await redis.del(next(users), next(emails))
      let reads = 0
      let count = 0
      const byEmail = new Map<string, number[]>()
      for (const status of ['active', 'inactive'] as const) {
        let totalPages = 1
        for (let page = 1; page <= totalPages && page <= MAX_PAGES; page++) {
          await acquire()
          const got = await source.listUsers(page, status)
          reads++
          totalPages = got.totalPages
          onPage(reads, count + got.users.length)
          if (got.users.length === 0) break
          const m = redis.multi()
          for (const u of got.users) {
            m.hset(next(users), String(u.id), JSON.stringify(u))
            const email = u.email?.trim().toLowerCase()
            if (email !== undefined && email !== '') byEmail.set(email, [...(byEmail.get(email) ?? []), u.id])
          }
          await m.exec()
          count += got.users.length
        }
      }
      const readAt = new Date().toISOString()
      const m = redis.multi()
      for (const [email, ids] of byEmail) m.hset(next(emails), email, ids.join(','))
      // An empty Enerflo leaves no hash behind to rename: clear the live copy instead.
      if (count > 0) m.rename(next(users), users); else m.del(users)
      if (byEmail.size > 0) m.rename(next(emails), emails); else m.del(emails)
      await m.hset(meta, 'readAt', readAt, 'users', String(count), 'reads', String(reads)).exec()
      return { users: count, reads, readAt }
    },

    async get (id: number): Promise<DirectoryUser | undefined> {
      const raw = await redis.hget(users, String(id))
      return raw === null ? undefined : JSON.parse(raw) as DirectoryUser
    },

    /** Enerflo ids holding this email, case-insensitively (deleted users are not listed). */
    async idsByEmail (email: string): Promise<number[]> {
      const raw = await redis.hget(emails, email.trim().toLowerCase())
      return raw === null ? [] : raw.split(',').map(Number)
    },

    /** What a write Enerflo accepted changed, so the copy stays as new as what we applied. */
    async patch (id: number, fields: EnerfloUserFields): Promise<void> {
      const current = await this.get(id)
      if (current === undefined) return
      await redis.hset(users, String(id), JSON.stringify({ ...current, ...fields }))
    },

    /** A user just created in Enerflo, added without waiting for the next refresh. */
    async add (user: DirectoryUser): Promise<void> {
      const m = redis.multi().hset(users, String(user.id), JSON.stringify(user))
      const email = user.email?.trim().toLowerCase()
      if (email !== undefined && email !== '') m.hset(emails, email, [...new Set([...await this.idsByEmail(email), user.id])].join(','))
      await m.exec()
    },

    async all (): Promise<DirectoryUser[]> {
      return Object.values(await redis.hgetall(users)).map((raw) => JSON.parse(raw) as DirectoryUser)
    },

    /** When the copy was read, and how big it is; undefined before the first refresh. */
    async info (): Promise<{ readAt: string, users: number, reads: number } | undefined> {
      const m = await redis.hgetall(meta)
      return m['readAt'] === undefined ? undefined : { readAt: m['readAt'], users: Number(m['users']), reads: Number(m['reads']) }
    }
  }
}

export type Directory = ReturnType<typeof createDirectory>
