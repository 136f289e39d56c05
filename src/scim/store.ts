/**
 * The SCIM server's own store: every user and group an identity provider pushed, in Redis, so
 * /scim/v2 answers from here at once while the Enerflo writes follow through the queue (issue 17).
 * The sync worker reads a user from here as the source `scim`'s current state.
 *
 * Keys, all under one hash tag so every script touches one Redis Cluster slot (`<prefix>:{scim}`,
 * or the prefix's own tag when it has one): `…:u:<id>` and `…:g:<id>` (JSON documents), `…:users`
 * and `…:groups` (sorted sets, id by creation time: the list order), `…:uname` (hash, userName
 * digest → id: userName is unique), `…:ix:<kind>:<digest>` (sets of ids for externalId, email and
 * group name), `…:gm:<group>` and `…:ug:<user>` (memberships both ways), `…:dirty` (sorted set,
 * user id → write sequence: written but not yet confirmed queued) and `…:seq`.
 *
 * Index keys carry a SHA-256 of the value, never the value: key names are logged and listed, and a
 * userName is usually an email address. Writes are compare-and-set on the document's version, so
 * two PATCHes of one user at once never lose one of them.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'

export type Attributes = Record<string, unknown>

export interface Meta { created: string, lastModified: string, version: number }

export interface StoredUser { id: string, attrs: Attributes, meta: Meta }
export interface StoredGroup { id: string, displayName: string, externalId?: string, meta: Meta }

/** What a user's attributes are indexed by: the unique userName, and lookups for filters. */
export interface UserIndex { userName: string, externalId?: string, emails: string[] }

export type WriteResult<T> =
  | { ok: true, value: T, seq: number, affected: string[] }
  | { ok: false, why: 'missing' | 'exists' | 'version' }
  | { ok: false, why: 'taken', holder: string }

export interface GroupChangeSet {
  displayName?: string
  externalId?: string | null
  add: string[]
  remove: string[]
  /** Every member is removed before `add` applies (a replace of `members`). */
  replaceMembers: boolean
}

const digest = (v: string): string => createHash('sha256').update(v).digest('hex')
const folded = (v: string): string => digest(v.normalize('NFC').toLowerCase())

// Common to both document scripts: compare-and-set on meta.version ('' = must not exist yet,
// '*' = any version). Leaves the old document decoded in `old`, or returns the refusal.
const CAS = `
local cur = redis.call('GET', KEYS[1])
local want = ARGV[3]
if want == '' then
  if cur then return {'exists'} end
elseif not cur then return {'missing'}
end
local old = nil
if cur then
  old = cjson.decode(cur)
  if want ~= '*' and tostring(old.meta.version) ~= want then return {'version'} end
end
`

// KEYS: user doc, users zset, uname hash, dirty zset, seq. ARGV: id, created ms, expected version,
// doc JSON, uname digest, key base, then the set index suffixes of the new document.
const PUT_USER = CAS + `
local holder = redis.call('HGET', KEYS[3], ARGV[5])
if holder and holder ~= ARGV[1] then return {'taken', holder} end
if old then
  if old.ix.u ~= ARGV[5] then redis.call('HDEL', KEYS[3], old.ix.u) end
  for _, k in ipairs(old.ix.s) do redis.call('SREM', ARGV[6] .. k, ARGV[1]) end
end
redis.call('HSET', KEYS[3], ARGV[5], ARGV[1])
for i = 7, #ARGV do redis.call('SADD', ARGV[6] .. ARGV[i], ARGV[1]) end
redis.call('SET', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
local seq = redis.call('INCR', KEYS[5])
redis.call('ZADD', KEYS[4], seq, ARGV[1])
return {'ok', seq}
`

// KEYS: user doc, users zset, uname hash, dirty zset, seq. ARGV: id, key base.
const DELETE_USER = `
local cur = redis.call('GET', KEYS[1])
if not cur then return {'missing'} end
local old = cjson.decode(cur)
if redis.call('HGET', KEYS[3], old.ix.u) == ARGV[1] then redis.call('HDEL', KEYS[3], old.ix.u) end
for _, k in ipairs(old.ix.s) do redis.call('SREM', ARGV[2] .. k, ARGV[1]) end
local ug = ARGV[2] .. 'ug:' .. ARGV[1]
for _, g in ipairs(redis.call('SMEMBERS', ug)) do redis.call('SREM', ARGV[2] .. 'gm:' .. g, ARGV[1]) end
redis.call('DEL', ug, KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local seq = redis.call('INCR', KEYS[5])
redis.call('ZADD', KEYS[4], seq, ARGV[1])
return {'ok', seq}
`

// KEYS: group doc, groups zset, dirty zset, seq. ARGV: id, created ms, expected version, doc JSON
// ('' = keep), key base, replace members ('1'), every member affected ('1'), #adds, adds…, removes….
const WRITE_GROUP = CAS + `
local base = ARGV[5]
local gm = base .. 'gm:' .. ARGV[1]
local affected = {}
local function touch (m) affected[m] = true end
if ARGV[7] == '1' then for _, m in ipairs(redis.call('SMEMBERS', gm)) do touch(m) end end
if ARGV[6] == '1' then
  for _, m in ipairs(redis.call('SMEMBERS', gm)) do redis.call('SREM', base .. 'ug:' .. m, ARGV[1]); touch(m) end
  redis.call('DEL', gm)
end
local adds = tonumber(ARGV[8])
for i = 9, 8 + adds do
  if redis.call('SADD', gm, ARGV[i]) == 1 then touch(ARGV[i]) end
  redis.call('SADD', base .. 'ug:' .. ARGV[i], ARGV[1])
end
for i = 9 + adds, #ARGV do
  if redis.call('SREM', gm, ARGV[i]) == 1 then touch(ARGV[i]) end
  redis.call('SREM', base .. 'ug:' .. ARGV[i], ARGV[1])
end
if ARGV[4] ~= '' then
  local doc = cjson.decode(ARGV[4])
  if old then redis.call('SREM', base .. old.ix.n, ARGV[1]) end
  redis.call('SADD', base .. doc.ix.n, ARGV[1])
  redis.call('SET', KEYS[1], ARGV[4])
  redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
end
local seq = redis.call('INCR', KEYS[4])
local out = {'ok', seq}
for m in pairs(affected) do
  if redis.call('EXISTS', base .. 'u:' .. m) == 1 then
    redis.call('ZADD', KEYS[3], seq, m)
    out[#out + 1] = m
  end
end
return out
`

// KEYS: group doc, groups zset, dirty zset, seq. ARGV: id, key base.
const DELETE_GROUP = `
local cur = redis.call('GET', KEYS[1])
if not cur then return {'missing'} end
local old = cjson.decode(cur)
local base = ARGV[2]
local gm = base .. 'gm:' .. ARGV[1]
local seq = redis.call('INCR', KEYS[4])
local out = {'ok', seq}
for _, m in ipairs(redis.call('SMEMBERS', gm)) do
  redis.call('SREM', base .. 'ug:' .. m, ARGV[1])
  if redis.call('EXISTS', base .. 'u:' .. m) == 1 then
    redis.call('ZADD', KEYS[3], seq, m)
    out[#out + 1] = m
  end
end
redis.call('SREM', base .. old.ix.n, ARGV[1])
redis.call('DEL', gm, KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return out
`

// KEYS: dirty zset. ARGV: id, seq. Clears the mark only if no later write set it again.
const CLEAN = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
`

type Script = (...args: Array<string | number>) => Promise<unknown>
interface Scripts { scimPutUser: Script, scimDeleteUser: Script, scimWriteGroup: Script, scimDeleteGroup: Script, scimClean: Script }

/** The key base: the prefix's own hash tag when it has one, else `{scim}` after it. */
export function scimKeyBase (prefix: string): string {
  return prefix.includes('{') ? `${prefix}:scim:` : `${prefix}:{scim}:`
}

function userIndexSets (ix: UserIndex): string[] {
  const sets = new Set<string>()
  if (ix.externalId !== undefined) sets.add(`ix:x:${digest(ix.externalId)}`)
  for (const e of ix.emails) sets.add(`ix:e:${folded(e)}`)
  return [...sets]
}

function parseReply<T> (reply: unknown, value: T): WriteResult<T> {
  const [status, ...rest] = reply as [string, ...Array<string | number>]
  if (status === 'ok') return { ok: true, value, seq: Number(rest[0]), affected: rest.slice(1).map(String) }
  if (status === 'taken') return { ok: false, why: 'taken', holder: String(rest[0]) }
  return { ok: false, why: status as 'missing' | 'exists' | 'version' }
}

export interface ScimStore {
  readonly base: string
  getUser: (id: string) => Promise<StoredUser | undefined>
  getUsers: (ids: readonly string[]) => Promise<StoredUser[]>
  /** `expectedVersion` undefined: the user must not exist yet (a create). */
  putUser: (id: string | undefined, attrs: Attributes, index: UserIndex, expectedVersion?: number, created?: Meta) => Promise<WriteResult<StoredUser>>
  deleteUser: (id: string) => Promise<WriteResult<null>>
  /** Ids holding the value, by index: userName (case-insensitive), externalId (exact), email. */
  findUsers: (index: 'userName' | 'externalId' | 'email', value: string) => Promise<string[]>
  listUsers: (offset: number, count: number) => Promise<{ total: number, ids: string[] }>
  groupsOf: (userId: string) => Promise<StoredGroup[]>
  getGroup: (id: string) => Promise<StoredGroup | undefined>
  getGroups: (ids: readonly string[]) => Promise<StoredGroup[]>
  members: (groupId: string) => Promise<string[]>
  /** `id` undefined creates a group; a given id must exist ('missing' otherwise). */
  writeGroup: (id: string | undefined, change: GroupChangeSet, expectedVersion?: number) => Promise<WriteResult<StoredGroup>>
  deleteGroup: (id: string) => Promise<WriteResult<null>>
  findGroups: (index: 'displayName' | 'externalId', value: string) => Promise<string[]>
  listGroups: (offset: number, count: number) => Promise<{ total: number, ids: string[] }>
  /** The write's mark is cleared once its jobs are confirmed queued (unless a later write set it). */
  clean: (marks: ReadonlyArray<{ id: string, seq: number }>) => Promise<void>
  /** Users written but not confirmed queued, with the write sequence, at most `limit`. */
  dirty: (limit: number) => Promise<Array<{ id: string, seq: number }>>
  seq: () => Promise<number>
  counts: () => Promise<{ users: number, groups: number, dirty: number }>
}

export function createScimStore (redis: Redis, prefix: string, now: () => Date = () => new Date()): ScimStore {
  const base = scimKeyBase(prefix)
  const k = {
    user: (id: string) => `${base}u:${id}`,
    group: (id: string) => `${base}g:${id}`,
    users: `${base}users`,
    groups: `${base}groups`,
    uname: `${base}uname`,
    dirty: `${base}dirty`,
    seq: `${base}seq`
  }
  const r = redis as unknown as Redis & Scripts
  if (!('scimPutUser' in redis)) {
    redis.defineCommand('scimPutUser', { numberOfKeys: 5, lua: PUT_USER })
    redis.defineCommand('scimDeleteUser', { numberOfKeys: 5, lua: DELETE_USER })
    redis.defineCommand('scimWriteGroup', { numberOfKeys: 4, lua: WRITE_GROUP })
    redis.defineCommand('scimDeleteGroup', { numberOfKeys: 4, lua: DELETE_GROUP })
    redis.defineCommand('scimClean', { numberOfKeys: 1, lua: CLEAN })
  }
  const userKeys = (id: string): string[] => [k.user(id), k.users, k.uname, k.dirty, k.seq]
  const readDocs = async <T>(keys: string[]): Promise<T[]> => {
    if (keys.length === 0) return []
    const raw = await redis.mget(...keys)
    return raw.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as T)
  }
  const toUser = (d: { id: string, attrs: Attributes, meta: Meta }): StoredUser => ({ id: d.id, attrs: d.attrs, meta: d.meta })
  const toGroup = (d: StoredGroup & { ix?: unknown }): StoredGroup => {
    const { ix: _ix, ...g } = d
    return g
  }
  const ids = async (key: string, offset: number, count: number): Promise<{ total: number, ids: string[] }> => {
    const [total, page] = await Promise.all([redis.zcard(key), count === 0 ? Promise.resolve([]) : redis.zrange(key, offset, offset + count - 1)])
    return { total, ids: page }
  }
  const stamp = (old: Meta | undefined): Meta => {
    const at = now().toISOString()
    return { created: old?.created ?? at, lastModified: at, version: (old?.version ?? 0) + 1 }
  }
  const store: ScimStore = {
    base,
    async getUser (id) {
      const [doc] = await readDocs<StoredUser>([k.user(id)])
      return doc === undefined ? undefined : toUser(doc)
    },
    async getUsers (list) { return (await readDocs<StoredUser>(list.map(k.user))).map(toUser) },
    async putUser (id, attrs, index, expectedVersion, old) {
      const userId = id ?? randomUUID()
      const meta = stamp(old)
      const sets = userIndexSets(index)
      const uname = folded(index.userName)
      const doc = { id: userId, attrs, meta, ix: { u: uname, s: sets } }
      // cjson reads an empty array as an object; ipairs over it is still empty, so no special case.
      const reply = await r.scimPutUser(...userKeys(userId), userId, Date.parse(meta.created), expectedVersion === undefined ? '' : String(expectedVersion), JSON.stringify(doc), uname, base, ...sets)
      return parseReply(reply, toUser(doc))
    },
    async deleteUser (id) { return parseReply(await r.scimDeleteUser(...userKeys(id), id, base), null) },
    async findUsers (index, value) {
      if (index === 'userName') {
        const id = await redis.hget(k.uname, folded(value))
        return id === null ? [] : [id]
      }
      return await redis.smembers(`${base}ix:${index === 'email' ? `e:${folded(value)}` : `x:${digest(value)}`}`)
    },
    async listUsers (offset, count) { return await ids(k.users, offset, count) },
    async groupsOf (userId) {
      const groupIds = await redis.smembers(`${base}ug:${userId}`)
      return await store.getGroups(groupIds)
    },
    async getGroup (id) {
      const [doc] = await readDocs<StoredGroup>([k.group(id)])
      return doc === undefined ? undefined : toGroup(doc)
    },
    async getGroups (list) { return (await readDocs<StoredGroup>(list.map(k.group))).map(toGroup) },
    async members (groupId) { return await redis.smembers(`${base}gm:${groupId}`) },
    async writeGroup (id, change, expectedVersion) {
      const groupId = id ?? randomUUID()
      const old = id === undefined ? undefined : await store.getGroup(groupId)
      if (id !== undefined && old === undefined) return { ok: false, why: 'missing' }
      const nameChanged = change.displayName !== undefined && change.displayName !== old?.displayName
      const docChanged = old === undefined || nameChanged || change.externalId !== undefined
      let value: StoredGroup | undefined = old
      let json = ''
      if (docChanged) {
        const displayName = change.displayName ?? old?.displayName ?? ''
        const externalId = change.externalId === null ? undefined : change.externalId ?? old?.externalId
        value = { id: groupId, displayName, ...(externalId !== undefined && { externalId }), meta: stamp(old?.meta) }
        json = JSON.stringify({ ...value, ix: { n: `ix:n:${folded(displayName)}` } })
      }
      // A change of members alone needs no version: set operations do not lose each other.
      const expected = expectedVersion !== undefined ? String(expectedVersion) : old === undefined ? '' : docChanged ? String(old.meta.version) : '*'
      const reply = await r.scimWriteGroup(k.group(groupId), k.groups, k.dirty, k.seq, groupId, Date.parse(value?.meta.created ?? now().toISOString()),
        expected, json, base, change.replaceMembers ? '1' : '0', nameChanged ? '1' : '0',
        change.add.length, ...change.add, ...change.remove)
      return parseReply(reply, value as StoredGroup)
    },
    async deleteGroup (id) { return parseReply(await r.scimDeleteGroup(k.group(id), k.groups, k.dirty, k.seq, id, base), null) },
    async findGroups (index, value) {
      if (index === 'displayName') return await redis.smembers(`${base}ix:n:${folded(value)}`)
      const all = await store.getGroups(await redis.zrange(k.groups, 0, -1))
      return all.filter((g) => g.externalId === value).map((g) => g.id)
    },
    async listGroups (offset, count) { return await ids(k.groups, offset, count) },
    async clean (marks) {
      await Promise.all(marks.map(async ({ id, seq }) => await r.scimClean(k.dirty, id, seq)))
    },
    async dirty (limit) {
      const flat = await redis.zrange(k.dirty, 0, limit - 1, 'WITHSCORES')
      const out: Array<{ id: string, seq: number }> = []
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: flat[i] as string, seq: Number(flat[i + 1]) })
      return out
    },
    async seq () { return Number(await redis.get(k.seq) ?? 0) },
    async counts () {
      const [users, groups, dirty] = await Promise.all([redis.zcard(k.users), redis.zcard(k.groups), redis.zcard(k.dirty)])
      return { users, groups, dirty }
    }
  }
  return store
}
