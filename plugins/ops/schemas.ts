/**
 * Request and response schemas shared by the /ops routes.
 */
import { Type } from '@sinclair/typebox'
import { USER_ID_PATTERN } from '../../src/sync/user-id.js'

export const SourceParam = Type.Union([Type.Literal('okta'), Type.Literal('graph'), Type.Literal('scim')])
// Ids, never email addresses: an address would end up in job data, keys and logs.
export const IdpUserId = Type.String({ minLength: 1, maxLength: 200, pattern: USER_ID_PATTERN, description: 'the provider\'s user id: letters, digits and . _ - (not only dots, never an email address)' })
export const UserParams = Type.Object({ source: SourceParam, idpUserId: IdpUserId })
export const EnerfloUserId = Type.Integer({ minimum: 1, maximum: 2147483647 })
const IsoTime = Type.String({ format: 'date-time' })

export const Paging = {
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 })
}

/** Which dead letters an operation applies to. */
export const FailedFilter = {
  code: Type.Optional(Type.String({ pattern: '^[A-Z_]{2,64}$' })),
  source: Type.Optional(SourceParam),
  since: Type.Optional(IsoTime),
  until: Type.Optional(IsoTime)
}

export const FailedJob = Type.Object({
  jobId: Type.String(),
  userKey: Type.String(),
  source: Type.String(),
  userId: Type.String(),
  code: Type.String(),
  reason: Type.String(),
  failedAt: Type.String(),
  attempts: Type.Integer(),
  eventIds: Type.Array(Type.String())
})

export const FailedAction = Type.Object({
  jobIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 1000 })),
  ...FailedFilter,
  dryRun: Type.Optional(Type.Boolean())
}, { additionalProperties: false })

export const FailedActionReply = Type.Object({
  dryRun: Type.Boolean(),
  matched: Type.Integer(),
  jobIds: Type.Array(Type.String())
})

/** One of a few strings, as a JSON Schema enum: Ajv then says "one of the allowed values" and the error handler names them. */
export const StringEnum = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description !== undefined && { description }) })
