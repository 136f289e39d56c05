/**
 * Building the one typed error every client throws (UpstreamError, src/errors.ts) from what the
 * core saw: an answer that is not a success, no answer at all, or an answer of the wrong shape.
 * The codes and the wording stay with each client; this only fills in what the error carries.
 */
import { UpstreamError, type ErrorCode } from '../errors.js'
import type { Answer, NoAnswer } from './exchange.js'

export const isSuccess = (answer: Answer): boolean => answer.status >= 200 && answer.status < 300

/** A non-2xx (or a 2xx that says it failed), carrying status, headers and the parsed body. */
export function answerError (code: ErrorCode, message: string, answer: Answer, init: { transient: boolean, retryAfterMs?: number | undefined, cause?: unknown }): UpstreamError {
  return new UpstreamError(code, message, { status: answer.status, headers: answer.headers, body: answer.body, ...init })
}

/** No HTTP answer: status 0. Transient unless the request could not be sent as built. */
export function noAnswerError (code: ErrorCode, message: string, n: NoAnswer, transient = n.kind !== 'invalid'): UpstreamError {
  return new UpstreamError(code, message, { status: 0, transient, cause: n.cause })
}

/** A 2xx whose body is not what the API documents: permanent, since asking again gets the same. */
export function unexpectedAnswer (code: ErrorCode, upstream: string, answer: Answer | undefined, what: string): UpstreamError {
  return new UpstreamError(code, `unexpected answer from ${upstream} ${what}`, {
    status: answer?.status ?? 0, headers: answer?.headers ?? {}, body: answer?.body, transient: false
  })
}
