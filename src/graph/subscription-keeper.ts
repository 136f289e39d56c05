/**
 * Keeps exactly one Graph subscription of ours on `users` alive: finds it (by id, else by our
 * notification URL, so a restart or a lost Redis reuses it instead of piling up new ones; a tenant
 * allows 100 per app), renews it once less than half its life is left, and recreates it when Graph
 * removed it or the client state was rotated. With `groups`, every check also keeps the mapped
 * groups' subscriptions (group-subscription-keeper.ts), and lifecycle jobs for those are handled
 * here too. Runs only in the subscription worker, one job at a time across every instance.
 */
import type { Subscription, SubscriptionsApi } from './subscriptions-api.js'
import type { GroupKeeper } from './group-subscription-keeper.js'
import { clientStateHash, type SubscriptionState } from './subscription-state.js'

/** Graph's maximum for `users` is 41,760 minutes; ask for an hour less so clock skew never exceeds it. */
export const LIFETIME_MS = (41_760 - 60) * 60_000
/** Renew once less than this is left: about two weeks of margin, with the hourly check. */
export const RENEW_WHEN_LEFT_MS = LIFETIME_MS / 2

export interface KeeperDeps {
  api: SubscriptionsApi
  state: SubscriptionState
  notificationUrl: string
  lifecycleNotificationUrl: string
  clientState: string
  /** Subscriptions on the mapped groups, for membership changes. */
  groups?: GroupKeeper
  now?: () => number
  log: { info: (obj: object, msg: string) => void, warn: (obj: object, msg: string) => void }
}

export type KeeperOutcome = 'created' | 'renewed' | 'reused' | 'current'

const isUsers = (resource: string): boolean => /^\/?users\/?$/i.test(resource)

export function createKeeper (deps: KeeperDeps) {
  const now = deps.now ?? Date.now
  const hash = clientStateHash(deps.clientState)
  const iso = (ms: number): string => new Date(ms).toISOString()
  const ours = (s: Subscription): boolean => isUsers(s.resource) && s.notificationUrl === deps.notificationUrl &&
    s.lifecycleNotificationUrl === deps.lifecycleNotificationUrl

  async function create (): Promise<Subscription> {
    const s = await deps.api.create({
      resource: 'users',
      changeType: 'updated,deleted',
      notificationUrl: deps.notificationUrl,
      lifecycleNotificationUrl: deps.lifecycleNotificationUrl,
      clientState: deps.clientState,
      expirationDateTime: iso(now() + LIFETIME_MS)
    })
    await deps.state.save({ id: s.id, expiresAt: s.expirationDateTime, createdAt: iso(now()), lastRenewalAt: iso(now()), clientStateHash: hash })
    deps.log.info({ subscriptionId: s.id, expiresAt: s.expirationDateTime }, 'graph subscription created')
    return s
  }

  async function renewIfDue (s: Subscription): Promise<boolean> {
    if (Date.parse(s.expirationDateTime) - now() > RENEW_WHEN_LEFT_MS) {
      await deps.state.save({ id: s.id, expiresAt: s.expirationDateTime })
      return false
    }
    const renewed = await deps.api.renew(s.id, iso(now() + LIFETIME_MS))
    await deps.state.save({ id: renewed.id, expiresAt: renewed.expirationDateTime, lastRenewalAt: iso(now()) })
    deps.log.info({ subscriptionId: s.id, expiresAt: renewed.expirationDateTime }, 'graph subscription renewed')
    return true
  }

  /** Our current subscription, if Graph still has it: the remembered one, else one found by URL. */
  async function find (): Promise<{ s: Subscription, reused: boolean } | undefined> {
    const record = await deps.state.get()
    if (record.id !== undefined) {
      const s = await deps.api.get(record.id)
      if (s !== null && ours(s)) {
        if (record.clientStateHash === undefined || record.clientStateHash === hash) return { s, reused: false }
        // GRAPH_CLIENT_STATE was rotated, and a subscription's client state cannot be changed:
        // make the new one first so no change goes unannounced, then drop the old one.
        const fresh = await create()
        await deps.api.remove(s.id)
        return { s: fresh, reused: false }
      }
      await deps.state.clear()
      if (s !== null) await deps.api.remove(s.id)
    }
    const candidates = (await deps.api.list()).filter(ours)
      .sort((a, b) => Date.parse(b.expirationDateTime) - Date.parse(a.expirationDateTime))
    const [keep, ...extra] = candidates
    // Earlier runs (or a lost Redis) may have left several: keep the longest-lived one.
    for (const s of extra) await deps.api.remove(s.id)
    if (keep === undefined) return undefined
    await deps.state.save({ id: keep.id, expiresAt: keep.expirationDateTime })
    deps.log.info({ subscriptionId: keep.id, removed: extra.length }, 'graph subscription of ours found and reused')
    return { s: keep, reused: true }
  }

  async function ensureUsers (): Promise<KeeperOutcome> {
    const found = await find()
    if (found === undefined) {
      await create()
      return 'created'
    }
    const renewed = await renewIfDue(found.s)
    return renewed ? 'renewed' : found.reused ? 'reused' : 'current'
  }

  return {
    /** The users subscription's outcome; the group subscriptions are kept after it, in the same job. */
    async ensure (): Promise<KeeperOutcome> {
      const outcome = await ensureUsers()
      if (deps.groups !== undefined) {
        const g = await deps.groups.ensure()
        if (g.created + g.renewed + g.removed > 0) deps.log.info({ ...g }, 'graph group subscriptions kept')
      }
      return outcome
    },

    /** reauthorizationRequired: reauthorize at once; a subscription Graph no longer has is recreated. */
    async reauthorize (subscriptionId: string): Promise<KeeperOutcome | 'reauthorized'> {
      const s = await deps.api.get(subscriptionId)
      const group = s !== null && deps.groups?.ours(s) === true
      if (s === null || (!ours(s) && !group)) return await this.ensure()
      await deps.api.reauthorize(subscriptionId)
      deps.log.info({ subscriptionId }, 'graph subscription reauthorized')
      const outcome = await this.ensure()
      return outcome === 'current' ? 'reauthorized' : outcome
    },

    /** subscriptionRemoved: Graph dropped it; make a new one (and forget the old). */
    async recreate (subscriptionId: string): Promise<KeeperOutcome> {
      const record = await deps.state.get()
      if (record.id === undefined || record.id === subscriptionId) await deps.state.clear()
      await deps.api.remove(subscriptionId)
      return await this.ensure()
    }
  }
}

export type Keeper = ReturnType<typeof createKeeper>
