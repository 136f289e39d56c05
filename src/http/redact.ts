/**
 * One redactor for what an upstream sends back. An API that echoes the credential it was given (a
 * key in an error message, a token in a debug field) must not carry it into logs, /status or the
 * audit trail, so answers are scrubbed before anyone reads them.
 */

// Shorter values are test stand-ins ("x", "t"); replacing them would shred ordinary text.
const MIN_SECRET_LENGTH = 4
const MARK = '[redacted]'

export interface Redactor {
  text: (s: string) => string
}

export function redactor (secrets: readonly string[]): Redactor {
  // A secret can come back as sent or URL-encoded (a form body or query string echoed back).
  const forms = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap((s) => [s, encodeURIComponent(s)]))]
    .sort((a, b) => b.length - a.length)
  return {
    text: (s) => forms.reduce((out, secret) => out.includes(secret) ? out.split(secret).join(MARK) : out, s)
  }
}

/** The same headers with every secret replaced. */
export function redactHeaders (headers: Record<string, string>, r: Redactor): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) out[k] = r.text(v)
  return out
}
