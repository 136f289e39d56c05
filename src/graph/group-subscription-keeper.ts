/**
 * Keeps one Graph subscription on each mapped group (`groups/{id}`, changes `updated,deleted`):
 * Graph announces a member added or removed as an "updated" of the group, which the `users`
 * subscription never sees, and group membership is what gives roles and offices. Mapped groups
 * are named by displayName, so each check resolves the names to ids (a name can be several
 * groups), subscribes to new ones, renews, drops subscriptions of groups no longer mapped, and
 * replaces any carrying a rotated client state. Before subscribing, it records the group's
 * members: the group-change job compares with that, and a change made between the two is then
 * seen on the next notification rather than lost.
 */
import type { Subscription, SubscriptionsApi } from './subscriptions-api.js'
import type { GroupsApi } from './groups-api.js'
import type { GroupMembers } from './group-members.js'
import { clientStateHash } from './subscription-state.js'

/** Graph's maximum for groups is the same 41,760 minutes as for users; an hour less for skew. */
const LIFETIME_MS = (41_760 - 60) * 60_000
const RENEW_WHEN_LEFT_MS = LIFETIME_MS / 2
const GROUP_RESOURCE = /^\/?groups\/([^/?]+)$/i

export interface GroupKeeperDeps {
  api: SubscriptionsApi
  groups: GroupsApi
  members: GroupMembers
  /** Which client state each group subscription was made with (Graph never shows it back). */
  stateHashes: { get: (id: string) => Promise<string | undefined>, set: (id: string, hash: string) => Promise<void>, remove: (id: string) => Promise<void> }
  groupNames: readonly string[]
  notificationUrl: string
  lifecycleNotificationUrl: string
  clientState: string
  now?: () => number
  log: { info: (obj: object, msg: string) => void, warn: (obj: object, msg: string) => void }
}

export interface GroupKeeperOutcome { groups: number, created: number, renewed: number, removed: number }

function groupOf (s: Subscription): string | undefined {
  const m = GROUP_RESOURCE.exec(s.resource)
  if (m === null) return undefined
  try { return decodeURIComponent(m[1] ?? '') } catch { return undefined }
}

export function createGroupKeeper (deps: GroupKeeperDeps) {
  const now = deps.now ?? Date.now
  const hash = clientStateHash(deps.clientState)
  const iso = (ms: number): string => new Date(ms).toISOString()
  const ours = (s: Subscription): boolean => groupOf(s) !== undefined && s.notificationUrl === deps.notificationUrl &&
    s.lifecycleNotificationUrl === deps.lifecycleNotificationUrl

  async function remove (s: Subscription): Promise<void> {
    await deps.api.remove(s.id)
    await deps.stateHashes.remove(s.id)
  }

  async function create (groupId: string): Promise<void> {
    const members = await deps.groups.memberIds(groupId)
    if (members === null) return
    await deps.members.saveIfAbsent(groupId, members)
    const s = await deps.api.create({
      resource: `groups/${encodeURIComponent(groupId)}`,
      changeType: 'updated,deleted',
      notificationUrl: deps.notificationUrl,
      lifecycleNotificationUrl: deps.lifecycleNotificationUrl,
      clientState: deps.clientState,
      expirationDateTime: iso(now() + LIFETIME_MS)
    })
    await deps.stateHashes.set(s.id, hash)
    deps.log.info({ subscriptionId: s.id, groupId, expiresAt: s.expirationDateTime }, 'graph group subscription created')
  }

  return {
    ours,

    async ensure (): Promise<GroupKeeperOutcome> {
      const wanted = new Set<string>()
      for (const name of new Set(deps.groupNames)) {
        const found = await deps.groups.findByName(name)
        if (found.length === 0) deps.log.warn({ group: name }, 'mapped group not found in Entra ID: its membership changes are not announced')
        for (const g of found) wanted.add(g.id)
      }
      const byGroup = new Map<string, Subscription[]>()
      for (const s of (await deps.api.list()).filter(ours)) {
        const id = groupOf(s) as string
        byGroup.set(id, [...(byGroup.get(id) ?? []), s])
      }
      const out: GroupKeeperOutcome = { groups: wanted.size, created: 0, renewed: 0, removed: 0 }
      for (const [groupId, subs] of byGroup) {
        if (wanted.has(groupId)) continue
        for (const s of subs) await remove(s)
        await deps.members.remove(groupId)
        out.removed += subs.length
      }
      for (const groupId of wanted) {
        const [keep, ...extra] = (byGroup.get(groupId) ?? []).sort((a, b) => Date.parse(b.expirationDateTime) - Date.parse(a.expirationDateTime))
        for (const s of extra) await remove(s)
        out.removed += extra.length
        const stale = keep !== undefined && ![undefined, hash].includes(await deps.stateHashes.get(keep.id))
        if (keep === undefined || stale) {
          // A rotated client state cannot be changed on a subscription: new one first, then drop the old.
          await create(groupId)
          out.created++
          if (keep !== undefined) { await remove(keep); out.removed++ }
          continue
        }
        if (Date.parse(keep.expirationDateTime) - now() <= RENEW_WHEN_LEFT_MS) {
          await deps.api.renew(keep.id, iso(now() + LIFETIME_MS))
          out.renewed++
        }
      }
      return out
    }
  }
}

export type GroupKeeper = ReturnType<typeof createGroupKeeper>
