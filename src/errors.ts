/**
 * Typed errors with stable codes. Every part of the service throws one of these, and one
 * Fastify error handler (plugins/core/error-handler.ts) turns them into HTTP answers. Codes are part
 * of the operator contract: they show up in /status, logs and the audit trail.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'MAPPING_INVALID'
  | 'MAPPING_UNKNOWN_ROLE'
  | 'WEBHOOK_AUTH'
  | 'OPS_AUTH'
  | 'AUTH_RATE_LIMITED'
  | 'OPS_OFF'
  | 'OPS_NOT_FOUND'
  | 'OPS_CONFLICT'
  | 'OPS_BAD_REQUEST'
  | 'WEBHOOK_BODY'
  | 'QUEUE_UNAVAILABLE'
  | 'ENERFLO_RATE_LIMITED'
  | 'ENERFLO_UNAVAILABLE'
  | 'ENERFLO_REJECTED'
  | 'ENERFLO_HTTP'
  | 'OKTA_RATE_LIMITED'
  | 'OKTA_UNAVAILABLE'
  | 'OKTA_HTTP'
  | 'GRAPH_RATE_LIMITED'
  | 'GRAPH_UNAVAILABLE'
  | 'GRAPH_HTTP'

export class SyncError extends Error {
  readonly code: ErrorCode
  /** HTTP status to answer with when this error reaches a route. */
  readonly statusCode: number
  constructor (code: ErrorCode, message: string, statusCode = 500, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SyncError'
    this.code = code
    this.statusCode = statusCode
  }
}

/** A non-2xx answer (or a failed exchange) from an HTTP API we call. */
export class UpstreamError extends SyncError {
  /** 0 when there was no HTTP answer (timeout, reset, refused). */
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: unknown
  /** True when trying again later can succeed (5xx, 429, timeouts, connection errors). */
  readonly transient: boolean
  /** How long the upstream asked us to wait, when it said. */
  readonly retryAfterMs: number | undefined
  constructor (code: ErrorCode, message: string, init: {
    status: number
    headers?: Record<string, string>
    body?: unknown
    transient: boolean
    retryAfterMs?: number | undefined
    cause?: unknown
  }) {
    super(code, message, 502, { cause: init.cause })
    this.name = 'UpstreamError'
    this.status = init.status
    this.headers = init.headers ?? {}
    this.body = init.body
    this.transient = init.transient
    this.retryAfterMs = init.retryAfterMs
  }
}

/**
 * A write that got no answer (timeout, reset, killed worker): Enerflo may still apply it. Its retry
 * must wait at least `retryNotBeforeMs`, so the abandoned request lands before the retry does.
 */
export class AmbiguousWriteError extends UpstreamError {
  readonly retryNotBeforeMs: number
  constructor (err: UpstreamError, retryNotBeforeMs: number) {
    super(err.code, err.message, { status: err.status, headers: err.headers, body: err.body, transient: err.transient, retryAfterMs: err.retryAfterMs, cause: err })
    this.name = 'AmbiguousWriteError'
    this.retryNotBeforeMs = retryNotBeforeMs
  }
}
