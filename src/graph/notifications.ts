/**
 * Graph change and lifecycle notifications: the body's schema, how the raw body is read, and which
 * user an item is about. Schemas are loose on purpose (Graph adds properties and mixes items of
 * several subscriptions in one POST); only what we rely on is required.
 *
 * sequenceNumber: real values exceed 2^53, which JSON.parse would round; src/json-body.ts keeps
 * the exact digits as a string. The service treats it as opaque text (audit only).
 */
import { Type, type Static } from '@sinclair/typebox'
import { isUserId } from '../sync/user-id.js'

const Text = Type.String()
const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()])
const Sequence = Type.Optional(Type.Union([Type.String({ pattern: '^-?[0-9]+$' }), Type.Null()]))

export const ResourceDataSchema = Type.Object({
  id: Type.Optional(Nullable(Text)),
  '@odata.type': Type.Optional(Nullable(Text)),
  '@odata.id': Type.Optional(Nullable(Text)),
  organizationId: Type.Optional(Nullable(Text)),
  sequenceNumber: Sequence
}, { additionalProperties: true })

export const NotificationSchema = Type.Object({
  id: Type.Optional(Nullable(Text)),
  subscriptionId: Type.String({ minLength: 1, maxLength: 200 }),
  subscriptionExpirationDateTime: Type.Optional(Nullable(Text)),
  changeType: Type.Optional(Nullable(Text)),
  resource: Type.Optional(Nullable(Text)),
  resourceData: Type.Optional(Type.Union([ResourceDataSchema, Type.Null()])),
  clientState: Type.Optional(Nullable(Text)),
  tenantId: Type.Optional(Nullable(Text)),
  organizationId: Type.Optional(Nullable(Text)),
  sequenceNumber: Sequence,
  lifecycleEvent: Type.Optional(Nullable(Text))
}, { additionalProperties: true })

export const NotificationCollectionSchema = Type.Object({
  value: Type.Array(NotificationSchema, { minItems: 1, maxItems: 5000 }),
  validationTokens: Type.Optional(Type.Array(Text))
}, { additionalProperties: true })

export type GraphNotification = Static<typeof NotificationSchema>
export type NotificationCollection = Static<typeof NotificationCollectionSchema>

const RESOURCE = /^\/?users\/([^/?]+)$/i
const USER_TYPE = /^#?microsoft\.graph\.user$/i

/** The Entra object id of the user an item is about: resourceData.id, else from `Users/{id}`. */
export function userIdOf (n: GraphNotification): string | undefined {
  // An item about something else (a group, whose resourceData.id is the group's) is no user.
  const type = n.resourceData?.['@odata.type']
  if (typeof type === 'string' && !USER_TYPE.test(type)) return undefined
  if (typeof n.resource === 'string' && n.resource !== '' && !RESOURCE.test(n.resource)) return undefined
  const fromData = n.resourceData?.id ?? undefined
  const fromResource = typeof n.resource === 'string' ? RESOURCE.exec(n.resource)?.[1] : undefined
  const id = fromData ?? (fromResource === undefined ? undefined : decoded(fromResource))
  return isUserId(id) ? id : undefined
}

/** A percent-decoded segment, or undefined when its escapes are malformed (`%zz`, `%E0%A4%A`). */
function decoded (segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/** The tenant an item comes from: Graph names it tenantId, or organizationId on some resources. */
export function tenantOf (n: GraphNotification): string | undefined {
  return n.tenantId ?? n.organizationId ?? n.resourceData?.organizationId ?? undefined
}

/** The sequence number as text (see the module comment), wherever Graph put it. */
export function sequenceOf (n: GraphNotification): string | undefined {
  return n.sequenceNumber ?? n.resourceData?.sequenceNumber ?? undefined
}

/**
 * An id for the audit trail and duplicate accounting: Graph's own, else one derived from the
 * sequence number; none when the item has neither (it is still synced, just not de-duplicated).
 */
export function eventIdOf (n: GraphNotification, userId: string): string | undefined {
  if (typeof n.id === 'string' && n.id !== '') return n.id
  const seq = sequenceOf(n)
  return seq === undefined ? undefined : `${n.subscriptionId}:${userId}:${seq}`
}
