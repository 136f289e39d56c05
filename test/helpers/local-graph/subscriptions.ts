/**
 * The local Graph server's subscriptions API: create (with the validation handshake to both URLs,
 * as Graph does), list, get, renew (PATCH), reauthorize and delete, with Graph's limits: the
 * maximum of 41,760 minutes (users and groups alike) and 100 subscriptions per app. Resources:
 * `users` and `groups/{id}` (a group that exists). Expired ones disappear.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { graphError, readBody, readJson, sendJson } from './http.js'
import type { LocalSubscription, Validator } from './types.js'

export const USERS_MAX_MINUTES = 41_760
const CHANGE_TYPES = new Set(['created', 'updated', 'deleted'])

export interface SubscriptionStore {
  subs: Map<string, LocalSubscription>
  applicationId: string
  validate: () => Validator
  reauthorized: string[]
  groupExists: (id: string) => boolean
  /** Every subscription ever created, in order (tests count creations per resource). */
  created: LocalSubscription[]
}

/** undefined when Graph would take the resource; else the error it answers with. */
function resourceProblem (store: SubscriptionStore, resource: unknown): { status: number, code: string, message: string } | undefined {
  if (typeof resource === 'string' && /^\/?users$/i.test(resource)) return undefined
  const group = typeof resource === 'string' ? /^\/?groups\/([^/?]+)$/i.exec(resource)?.[1] : undefined
  if (group === undefined) return { status: 400, code: 'ExtensionError', message: 'Resource not supported by this server' }
  let id: string
  try { id = decodeURIComponent(group) } catch { return { status: 400, code: 'BadRequest', message: 'Invalid resource' } }
  return store.groupExists(id) ? undefined : { status: 404, code: 'ResourceNotFound', message: `Resource '${id}' does not exist.` }
}

function purge (store: SubscriptionStore): void {
  for (const [id, s] of store.subs) if (Date.parse(s.expirationDateTime) <= Date.now()) store.subs.delete(id)
}

function view (s: LocalSubscription, origin: string, withState: boolean): Record<string, unknown> {
  // Graph hides clientState when reading subscriptions back.
  return { '@odata.context': `${origin}/v1.0/$metadata#subscriptions/$entity`, ...s, clientState: withState ? s.clientState : null, latestSupportedTlsVersion: 'v1_2', includeResourceData: false }
}

function expiryProblem (value: unknown): string | undefined {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN
  if (Number.isNaN(ms)) return 'expirationDateTime is required and must be a date'
  if (ms <= Date.now()) return 'Subscription expiration must be in the future.'
  if (ms > Date.now() + USERS_MAX_MINUTES * 60_000) return `Subscription expiration can only be ${USERS_MAX_MINUTES} minutes in the future.`
  return undefined
}

async function handshake (validate: Validator, url: string): Promise<boolean> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()} ${randomBytes(6).toString('base64')}`
  const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`
  try {
    const answer = await validate(target)
    return answer.status === 200 && answer.contentType.startsWith('text/plain') && answer.body === token
  } catch {
    return false
  }
}

export async function routeSubscriptions (store: SubscriptionStore, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const m = /^\/v1\.0\/subscriptions(?:\/([^/]+)(\/reauthorize)?)?\/?$/.exec(url.pathname)
  if (m === null) return false
  purge(store)
  const method = req.method ?? 'GET'
  const bad = (message: string, code = 'ExtensionError'): void => sendJson(res, 400, graphError(code, message))
  if (m[1] === undefined) {
    if (method === 'GET') {
      sendJson(res, 200, { '@odata.context': `${url.origin}/v1.0/$metadata#subscriptions`, value: [...store.subs.values()].map((s) => view(s, url.origin, false)) })
      return true
    }
    if (method !== 'POST') return false
    const body = readJson(await readBody(req))
    if (body === undefined) { bad('Invalid request body', 'BadRequest'); return true }
    const { resource, changeType, notificationUrl, lifecycleNotificationUrl, clientState, expirationDateTime } = body
    const unfit = resourceProblem(store, resource)
    if (unfit !== undefined) { sendJson(res, unfit.status, graphError(unfit.code, unfit.message)); return true }
    if (typeof changeType !== 'string' || !changeType.split(',').every((c) => CHANGE_TYPES.has(c))) { bad('Invalid changeType'); return true }
    if (typeof notificationUrl !== 'string') { bad('notificationUrl is required'); return true }
    if (clientState !== undefined && (typeof clientState !== 'string' || clientState.length > 128)) { bad('clientState is limited to 128 characters'); return true }
    const problem = expiryProblem(expirationDateTime)
    if (problem !== undefined) { bad(problem); return true }
    if (store.subs.size >= 100) { sendJson(res, 403, graphError('ExtensionError', 'Operation: Create; Exception: [Status Code: Forbidden; Reason: The application has reached its limit of 100 subscriptions]')); return true }
    for (const target of [notificationUrl, lifecycleNotificationUrl].filter((u): u is string => typeof u === 'string')) {
      if (!await handshake(store.validate(), target)) {
        bad(`Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.`, 'ValidationError')
        return true
      }
    }
    const s: LocalSubscription = {
      id: randomUUID(), resource: resource as string, changeType, notificationUrl, applicationId: store.applicationId,
      lifecycleNotificationUrl: typeof lifecycleNotificationUrl === 'string' ? lifecycleNotificationUrl : null,
      clientState: typeof clientState === 'string' ? clientState : null,
      expirationDateTime: new Date(Date.parse(expirationDateTime as string)).toISOString()
    }
    store.subs.set(s.id, s)
    store.created.push({ ...s })
    sendJson(res, 201, view(s, url.origin, true))
    return true
  }
  const id = decodeURIComponent(m[1])
  const s = store.subs.get(id)
  if (s === undefined) { sendJson(res, 404, graphError('ResourceNotFound', 'The object was not found.')); return true }
  if (m[2] !== undefined && method === 'POST') {
    store.reauthorized.push(id)
    sendJson(res, 204, undefined)
    return true
  }
  if (method === 'GET') { sendJson(res, 200, view(s, url.origin, false)); return true }
  if (method === 'DELETE') { store.subs.delete(id); sendJson(res, 204, undefined); return true }
  if (method === 'PATCH') {
    const body = readJson(await readBody(req))
    const problem = expiryProblem(body?.['expirationDateTime'])
    if (problem !== undefined) { bad(problem); return true }
    s.expirationDateTime = new Date(Date.parse(body?.['expirationDateTime'] as string)).toISOString()
    sendJson(res, 200, view(s, url.origin, false))
    return true
  }
  return false
}
