/**
 * Okta Event Hook deliveries: the envelope schema and which events mean "this user may have
 * changed". Okta sends far more than we need (sign-ins, app assignments …); those are
 * acknowledged and ignored. Schemas are loose on purpose: Okta adds fields, sends `null` for
 * objects (see the captured "Preview" deliveries) and orders keys as it likes.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { isUserId } from '../sync/user-id.js'

/** Event types after which a user's Enerflo state may need to change. */
export const USER_CHANGE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'user.lifecycle.create',
  'user.lifecycle.activate',
  'user.lifecycle.reactivate',
  'user.lifecycle.deactivate',
  'user.lifecycle.suspend',
  'user.lifecycle.unsuspend',
  'user.lifecycle.delete.initiated',
  'user.account.update_profile',
  'group.user_membership.add',
  'group.user_membership.remove'
])

/**
 * Events one delivery may carry. Okta batches a handful at a time; the limit bounds what one
 * request can make the receiver do (the 1 MiB body limit alone admits about 10,000 tiny events).
 */
export const MAX_EVENTS_PER_DELIVERY = 5000

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const OktaEventTargetSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  alternateId: Type.Optional(Nullable(Type.String())),
  displayName: Type.Optional(Nullable(Type.String()))
}, { additionalProperties: true })

export const OktaEventSchema = Type.Object({
  uuid: Type.String(),
  eventType: Type.String(),
  published: Type.Optional(Type.String()),
  target: Type.Optional(Nullable(Type.Array(OktaEventTargetSchema))),
  actor: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true }))),
  outcome: Type.Optional(Nullable(Type.Object({
    result: Type.Optional(Nullable(Type.String()))
  }, { additionalProperties: true }))),
  debugContext: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true })))
}, { additionalProperties: true })

export const OktaDeliverySchema = Type.Object({
  eventType: Type.Optional(Type.String()),
  eventId: Type.Optional(Type.String()),
  eventTime: Type.Optional(Type.String()),
  data: Type.Object({
    events: Type.Array(OktaEventSchema, { maxItems: MAX_EVENTS_PER_DELIVERY })
  }, { additionalProperties: true })
}, { additionalProperties: true })

export type OktaEventTarget = Static<typeof OktaEventTargetSchema>
export type OktaEvent = Static<typeof OktaEventSchema>
export type OktaDelivery = Static<typeof OktaDeliverySchema>

export function isUserChangeEvent (eventType: string): boolean {
  return USER_CHANGE_EVENT_TYPES.has(eventType)
}

/**
 * The Okta id of the user an event is about: the target whose type is User. Never by position:
 * a membership event also targets the group, and Okta does not promise an order. The actor is not
 * a fallback: it is whoever made the change (often an admin), not the user changed.
 */
export function userIdOf (event: { target?: readonly OktaEventTarget[] | null | undefined }): string | undefined {
  const targets = Array.isArray(event.target) ? event.target : []
  const user = targets.find((t) => typeof t?.type === 'string' && t.type.toLowerCase() === 'user' &&
    isUserId(t.id))
  return user?.id
}
