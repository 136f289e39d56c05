/**
 * The response schema of GET /status: part of the operator contract, so it is declared, not
 * inferred. With Redis down, what is stored there is unknown: null (or absent), and `unknown`
 * says why and which sections.
 */
import { Type } from '@sinclair/typebox'
import { GraphSubscriptionStatus } from './graph.js'
import { FailureSection, RetryingSection } from './failures.js'
import { ReconcileSection } from './reconcile.js'
import { HoldsSection } from './holds.js'
import { BlockedSection } from './blocked.js'
import { FollowUpsSection } from './follow-ups.js'
import { CredentialsSection } from './credentials.js'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()])
const Counts = Type.Record(Type.String(), Type.Number())
const Unknown = Type.Object({
  reason: Type.String({ description: 'why these values could not be read, and what to do' }),
  sections: Type.Array(Type.String(), { description: 'the fields of this reply that are unknown (null or absent)' })
})
const Recent = Type.Array(Type.Object({
  at: Type.String(), userKey: Type.String(), outcome: Type.String(), fields: Type.Array(Type.String()), code: Type.Optional(Type.String())
}), { description: 'the last sync outcomes, newest first: field names only, no values' })
const Outcome = Type.Object({ at: Type.String(), userKey: Type.String(), fields: Type.Optional(Type.Array(Type.String())), code: Type.Optional(Type.String()), message: Type.Optional(Type.String()) })

export const StatusReply = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]),
  reasons: Type.Array(Type.String()),
  mode: Type.Union([Type.Literal('sandbox'), Type.Literal('live')]),
  role: Type.String(),
  syncMode: Type.Optional(Type.String({ description: 'live: writes to Enerflo; shadow: plans and records, never writes' })),
  version: Type.Optional(Type.String()),
  unknown: Type.Optional(Unknown),
  drainEtaSeconds: Type.Optional(Nullable(Type.Integer())),
  uptimeSeconds: Type.Integer(),
  redis: Type.Object({
    reachable: Type.Boolean(),
    latencyMs: Nullable(Type.Number()),
    maxmemoryPolicy: Type.Optional(Type.String()),
    aof: Type.Optional(Type.Boolean()),
    version: Type.Optional(Type.String())
  }),
  queue: Type.Optional(Nullable(Type.Object({ oldestWaitingAgeMs: Nullable(Type.Number()) }, { additionalProperties: Type.Number() }))),
  enerflo: Type.Optional(Nullable(Type.Object({
    baseUrl: Type.String(),
    budget: Type.Object({
      limit: Type.Integer(), windowMs: Type.Integer(), used: Type.Integer(), remaining: Type.Integer(), pausedUntil: Nullable(Type.String())
    }),
    lastSuccess: Nullable(Outcome),
    lastFailure: Nullable(Outcome)
  }))),
  sources: Type.Optional(Nullable(Type.Record(Type.String(), Type.Object({
    configured: Type.Boolean(), lastEventAt: Nullable(Type.String()), counts: Counts,
    accepted: Type.Optional(Type.Integer()), duplicates: Type.Optional(Type.Integer()), rejected: Type.Optional(Counts),
    subscription: Type.Optional(GraphSubscriptionStatus),
    store: Type.Optional(Type.Object({ users: Type.Integer(), groups: Type.Integer(), unqueued: Type.Integer() }, { description: 'SCIM only: the users and groups pushed to /scim/v2, and written users whose sync job is not yet confirmed queued' }))
  })))),
  sync: Type.Optional(Counts),
  unresolved: Type.Optional(Nullable(Type.Object({
    count: Type.Integer(),
    users: Type.Array(Type.Object({ userKey: Type.String(), since: Type.String() }))
  }))),
  recent: Type.Optional(Nullable(Recent)),
  failures: Type.Optional(FailureSection),
  retrying: Type.Optional(RetryingSection),
  holds: Type.Optional(HoldsSection),
  blockedRemovals: Type.Optional(BlockedSection),
  followUps: Type.Optional(FollowUpsSection),
  credentials: Type.Optional(CredentialsSection),
  reconcile: Type.Optional(ReconcileSection)
})
