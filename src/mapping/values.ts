/**
 * Reading single provider values. Providers use null, "" and blanks for "not set"; all of those
 * mean "we do not know", which is left out of the desired state rather than sent as "" (Enerflo
 * would blank the field).
 */

/** Trimmed text, or undefined for absent, null, non-text and blank values. */
export function textValue (v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined
  const t = v.trim()
  return t === '' ? undefined : t
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * A lower-cased email address, a reason when there is text that is not one, or undefined when there
 * is no value. Lower case because Enerflo matches `manager_email` against users' emails, and a
 * case-only difference must not cause an update on every sync.
 */
export function emailValue (v: unknown): { email: string } | { reason: string } | undefined {
  const t = textValue(v)
  if (t === undefined) return undefined
  return EMAIL.test(t) ? { email: t.toLowerCase() } : { reason: 'not an email address' }
}

const INT32_MAX = 2147483647

/**
 * An Enerflo user id from a provider attribute: a positive whole number, as a number or a string
 * of digits (provider attributes are often strings). Undefined when there is no value.
 */
export function enerfloUserIdValue (v: unknown): { id: number } | { reason: string } | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'number') {
    return Number.isInteger(v) && v >= 1 && v <= INT32_MAX
      ? { id: v }
      : { reason: 'not a positive whole number' }
  }
  if (typeof v !== 'string') return { reason: 'not a number or a string of digits' }
  const t = v.trim()
  if (t === '') return undefined
  if (!/^\d+$/.test(t)) return { reason: 'not a string of digits' }
  const id = Number(t)
  return id >= 1 && id <= INT32_MAX ? { id } : { reason: 'out of range for an Enerflo user id' }
}
