/**
 * Graph's subscriptions API: create, read, list, renew (PATCH expirationDateTime), reauthorize and
 * delete. Called only by the subscription worker, never by a receiver.
 */
import { UpstreamError } from '../errors.js'
import { errorCode, everyPage, isObject, type Call } from './http.js'

export interface Subscription {
  id: string
  resource: string
  changeType: string
  notificationUrl: string
  lifecycleNotificationUrl: string | null
  expirationDateTime: string
}

export interface NewSubscription {
  resource: string
  changeType: string
  notificationUrl: string
  lifecycleNotificationUrl: string
  clientState: string
  expirationDateTime: string
}

export interface SubscriptionsApi {
  create: (s: NewSubscription) => Promise<Subscription>
  /** null when Graph no longer has it (expired and removed, or deleted). */
  get: (id: string) => Promise<Subscription | null>
  /** Every subscription of this app in the tenant. */
  list: () => Promise<Subscription[]>
  renew: (id: string, expirationDateTime: string) => Promise<Subscription>
  reauthorize: (id: string) => Promise<void>
  /** Deleting one that is already gone is not an error. */
  remove: (id: string) => Promise<void>
}

const MAX_PAGES = 100

function toSubscription (v: unknown, what: string): Subscription {
  if (!isObject(v) || typeof v['id'] !== 'string' || typeof v['expirationDateTime'] !== 'string') {
    throw new UpstreamError('GRAPH_HTTP', `unexpected subscription from Graph ${what}`, { status: 0, body: v, transient: false })
  }
  const text = (k: string): string => typeof v[k] === 'string' ? v[k] : ''
  return {
    id: text('id'),
    resource: text('resource'),
    changeType: text('changeType'),
    notificationUrl: text('notificationUrl'),
    lifecycleNotificationUrl: typeof v['lifecycleNotificationUrl'] === 'string' ? v['lifecycleNotificationUrl'] : null,
    expirationDateTime: text('expirationDateTime')
  }
}

const gone = (err: unknown): boolean => err instanceof UpstreamError && err.status === 404 &&
  ['ResourceNotFound', 'Request_ResourceNotFound', 'itemNotFound', undefined].includes(errorCode(err.body))

export function createSubscriptionsApi (call: Call): SubscriptionsApi {
  const path = (id: string): string => `/v1.0/subscriptions/${encodeURIComponent(id)}`
  return {
    async create (s) {
      const what = 'for POST subscription'
      return toSubscription((await call('POST', '/v1.0/subscriptions', what, s)).body, what)
    },
    async get (id) {
      try {
        return toSubscription((await call('GET', path(id), 'for GET subscription')).body, 'for GET subscription')
      } catch (err) {
        if (gone(err)) return null
        throw err
      }
    },
    async list () {
      const out: Subscription[] = []
      await everyPage(call, '/v1.0/subscriptions', 'for GET subscriptions', MAX_PAGES, (s) => { out.push(toSubscription(s, 'for GET subscriptions')) })
      return out
    },
    async renew (id, expirationDateTime) {
      const what = 'for PATCH subscription'
      return toSubscription((await call('PATCH', path(id), what, { expirationDateTime })).body, what)
    },
    async reauthorize (id) {
      await call('POST', `${path(id)}/reauthorize`, 'for POST subscription reauthorize')
    },
    async remove (id) {
      try {
        await call('DELETE', path(id), 'for DELETE subscription')
      } catch (err) {
        if (!gone(err)) throw err
      }
    }
  }
}
