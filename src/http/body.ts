/**
 * Reading an answer as plain data: headers as one string each, a body that may or may not be JSON,
 * and a check for a JSON object. Every outbound client reads answers through these.
 */

/** undici's header values (string, string[] or undefined) as lower-cased name → string. */
export function flattenHeaders (raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(raw)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  }
  return out
}

/** The parsed JSON, or the text itself when it is not JSON (an HTML error page, say), cut short. */
export function parseBody (text: string, maxTextLength = Infinity): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text.length > maxTextLength ? `${text.slice(0, maxTextLength)}…` : text
  }
}

export function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
