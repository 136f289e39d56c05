/**
 * A job's final failure as text: "CODE: reason". BullMQ keeps only a message for a failed job, so
 * the code an operator filters on travels in it. One module writes the format and reads it back
 * (the dead-letter routes, the failure log), so the two can never drift apart.
 */
export interface FailureReason { code: string, message: string }

export function formatFailure (code: string, message: string): string {
  return `${code}: ${message}`
}

const CODE_REASON = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/

/** The code and reason of a failure text; anything not in the format is an INTERNAL failure. */
export function parseFailure (text: string): FailureReason {
  const m = CODE_REASON.exec(text)
  return m === null ? { code: 'INTERNAL', message: text } : { code: m[1] as string, message: m[2] as string }
}
