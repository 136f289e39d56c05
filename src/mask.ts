/**
 * Masking of personal data for operator views: enough to recognise a value, not enough to read it.
 * `j***@example.com`, `******0101`.
 */
import { EMAIL, PHONE } from './log.js'

/** Free text (an upstream's error message) with every email and phone number in it masked. */
export function maskText (text: string): string {
  return text.replace(EMAIL, (m) => maskEmail(m)).replace(PHONE, (m) => maskPhone(m))
}

export function maskEmail (email: string): string {
  const at = email.lastIndexOf('@')
  if (at <= 0) return '***'
  return `${email[0] ?? ''}***${email.slice(at)}`
}

export function maskPhone (phone: string): string {
  const digits = phone.replace(/\D/g, '')
  return digits.length <= 4 ? '***' : `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`
}

const MASKERS: Record<string, (v: string) => string> = { email: maskEmail, manager_email: maskEmail, phone: maskPhone }

/** A copy of a field → value map with emails and phones masked. */
export function maskFields<T> (fields: T): T {
  if (fields === null || typeof fields !== 'object') return fields
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(fields)) {
    const mask = MASKERS[k]
    out[k] = mask !== undefined && typeof v === 'string' ? mask(v) : v
  }
  return out as T
}

/** Masks the values inside `{ field: { from, to } }`. */
export function maskChanges (changes: Record<string, { from: unknown, to: unknown }>): Record<string, { from: unknown, to: unknown }> {
  const out: Record<string, { from: unknown, to: unknown }> = {}
  for (const [field, { from, to }] of Object.entries(changes)) {
    const [f, t] = [maskFields({ [field]: from })[field], maskFields({ [field]: to })[field]]
    out[field] = { from: f, to: t }
  }
  return out
}
