/**
 * Follow-ups: work Enerflo asks of a person after a write the service made, kept in Redis until
 * an operator marks it done (issue 14 item 2). Today there is one reason: a managed removal of the
 * Project Manager role went through, and Enerflo's "Update a User" asks that the user also be
 * removed as a project contact on their installs, which the service does not do itself (README
 * "What Enerflo refuses, and what the service does then" says why).
 *
 * One open follow-up per user and reason: recording it again while it is open returns the open
 * one. Marking it done keeps it among the recent done ones (the newest DONE_KEPT), and a later
 * removal of the role records a new one.
 *
 * Keys, under one hash tag so the scripts stay in one Redis Cluster slot: `<prefix>:{followups}`
 * (hash, id → JSON), `…:open` (hash, reason|user key → id), `…:done` (sorted set, id by doneAt)
 * and `…:seq` (the last id). Key names carry no personal data; an entry carries the user's name
 * or masked email for operators to recognise them, which the service never logs.
 */
import type { Redis } from 'ioredis'

export type FollowUpReason = 'project-manager-removed'

export interface FollowUp {
  id: string
  reason: FollowUpReason
  userKey: string
  enerfloId: number
  /** The user's name as Enerflo holds it, else their masked email, else "Enerflo user N". */
  who: string
  /** Role Name whose removal asks for this. */
  role: string
  /** What the operator does, in a sentence. */
  todo: string
  /** Enerflo's recipe for it, by name. */
  recipe: string
  /** Enerflo's documentation pages that say so and how. */
  links: string[]
  /** Why the service does not do it itself. */
  notAutomatic: string
  createdAt: string
  done: boolean
  doneAt: string | null
}

export type NewFollowUp = Omit<FollowUp, 'id' | 'createdAt' | 'done' | 'doneAt'>

export type DoneResult = { ok: true, followUp: FollowUp } | { ok: false, why: 'missing' } | { ok: false, why: 'done', followUp: FollowUp }

export interface FollowUps {
  /** Records a follow-up, or returns the user's open one for the same reason (`created` false). */
  record: (entry: NewFollowUp) => Promise<{ followUp: FollowUp, created: boolean }>
  get: (id: string) => Promise<FollowUp | undefined>
  /** Marks one done; refuses an unknown id and one already done. */
  done: (id: string) => Promise<DoneResult>
  /** Open ones oldest first, then up to `doneLimit` done ones newest first; `open` counts every open one. */
  list: (doneLimit?: number) => Promise<{ open: number, followUps: FollowUp[] }>
  openCount: () => Promise<number>
}

/** Done follow-ups kept for the list; older ones are deleted. */
export const DONE_KEPT = 200

// KEYS: hash, open, seq. ARGV: open field, entry JSON without id (its "id" is set here).
const RECORD = `
local id = redis.call('HGET', KEYS[2], ARGV[1])
if id then
  local raw = redis.call('HGET', KEYS[1], id)
  if raw then return {0, raw} end
end
id = tostring(redis.call('INCR', KEYS[3]))
local entry = cjson.decode(ARGV[2])
entry['id'] = id
local raw = cjson.encode(entry)
redis.call('HSET', KEYS[1], id, raw)
redis.call('HSET', KEYS[2], ARGV[1], id)
return {1, raw}
`

// KEYS: hash, open, done. ARGV: id, doneAt ISO, doneAt ms, kept.
const DONE = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {0} end
local entry = cjson.decode(raw)
if entry['done'] then return {2, raw} end
entry['done'] = true
entry['doneAt'] = ARGV[2]
raw = cjson.encode(entry)
redis.call('HSET', KEYS[1], ARGV[1], raw)
local field = entry['reason'] .. '|' .. entry['userKey']
if redis.call('HGET', KEYS[2], field) == ARGV[1] then redis.call('HDEL', KEYS[2], field) end
redis.call('ZADD', KEYS[3], tonumber(ARGV[3]), ARGV[1])
local old = redis.call('ZRANGE', KEYS[3], 0, -(tonumber(ARGV[4]) + 1))
for _, o in ipairs(old) do redis.call('HDEL', KEYS[1], o) end
if #old > 0 then redis.call('ZREM', KEYS[3], unpack(old)) end
return {1, raw}
`

export function createFollowUps (redis: Redis, prefix: string): FollowUps {
  const hash = `${prefix}:{followups}`
  const open = `${prefix}:{followups}:open`
  const done = `${prefix}:{followups}:done`
  const seq = `${prefix}:{followups}:seq`
  const parse = (raw: string): FollowUp => {
    const f = JSON.parse(raw) as FollowUp
    // cjson writes an empty Lua table as {}: the links are always a list.
    return { ...f, links: Array.isArray(f.links) ? f.links : [] }
  }

  const self: FollowUps = {
    async record (entry) {
      const full = { ...entry, id: '', createdAt: new Date().toISOString(), done: false, doneAt: null }
      const [created, raw] = await redis.eval(RECORD, 3, hash, open, seq, `${entry.reason}|${entry.userKey}`, JSON.stringify(full)) as [number, string]
      return { followUp: parse(raw), created: created === 1 }
    },

    async get (id) {
      const raw = await redis.hget(hash, id)
      return raw === null ? undefined : parse(raw)
    },

    async done (id) {
      const now = Date.now()
      const [state, raw] = await redis.eval(DONE, 3, hash, open, done, id, new Date(now).toISOString(), String(now), String(DONE_KEPT)) as [number, string?]
      if (state === 0 || raw === undefined) return { ok: false, why: 'missing' }
      return state === 2 ? { ok: false, why: 'done', followUp: parse(raw) } : { ok: true, followUp: parse(raw) }
    },

    async list (doneLimit = 20) {
      const openIds = await redis.hvals(open)
      const doneIds = doneLimit <= 0 ? [] : await redis.zrevrange(done, 0, doneLimit - 1)
      const ids = [...openIds, ...doneIds]
      const raws = ids.length === 0 ? [] : await redis.hmget(hash, ...ids)
      const all = raws.filter((r): r is string => r !== null).map(parse)
      const opened = all.filter((f) => !f.done).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || Number(a.id) - Number(b.id))
      return { open: opened.length, followUps: [...opened, ...all.filter((f) => f.done)] }
    },

    openCount: async () => await redis.hlen(open)
  }
  return self
}
