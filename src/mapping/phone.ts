/**
 * Phone numbers for Enerflo, which stores ten North American digits. Providers hold whatever an
 * admin typed ("+1 602-555-0101", "(602) 555-0101 x12", a UK number …), so anything that is not
 * unambiguously a North American number is refused with a reason instead of sent half-right.
 * Reasons never contain the number: it is personal data and reasons end up in logs and /status.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js'

export type NormalisedPhone = { phone: string } | { reason: string }

// An extension Enerflo cannot store; the main line is still the person's number.
const EXTENSION = /\s*(?:,|;|#|x|ext\.?|extension)\s*\d{1,6}\s*$/i

/**
 * The ten national digits of a North American (country code 1) number, a reason when the value is
 * not one, or undefined when there is no value at all (absent, null, empty or blank).
 */
export function normalisePhone (raw: unknown): NormalisedPhone | undefined {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) raw = String(raw)
  if (typeof raw !== 'string') return { reason: 'not a phone number (not text)' }
  const text = raw.trim()
  if (text === '') return undefined

  const main = text.replace(EXTENSION, '')
  // libphonenumber reads "602-555-0101abc" as a valid number; letters mean someone typed a
  // vanity number or a note, and we would rather ask than guess.
  if (/\p{L}/u.test(main)) return { reason: 'contains letters' }
  const parsed = parsePhoneNumberFromString(main, { defaultCallingCode: '1' })
  if (parsed === undefined) return { reason: 'not a phone number' }
  if (parsed.countryCallingCode !== '1') {
    return { reason: `not a North American number (country code +${parsed.countryCallingCode})` }
  }
  const digits = parsed.nationalNumber
  // NANP area codes never start with 0 or 1, so this also catches "00 …" international prefixes.
  if (!/^[2-9]\d{9}$/.test(digits)) {
    return { reason: `not a 10-digit North American number (${digits.length} digits)` }
  }
  return { phone: digits }
}
