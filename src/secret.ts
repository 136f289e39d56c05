/**
 * Constant-time secret checks. A presented value is compared with every accepted secret (current
 * and previous, during rotation), always in full and always over the accepted secret's own bytes,
 * so neither the position of the first differing byte nor a wrong length shows in the time taken:
 * a value of another length is answered by comparing the secret with itself, which costs what a
 * real comparison costs. Only the presenter's own input (its length) changes how long the
 * encoding takes, and that tells them nothing they did not know.
 *
 * This used to hash both sides with SHA-256 first; the hash cost more than the rest of the check
 * on the webhook path (about 12 µs of each delivery's CPU), and bought nothing the above does not.
 */
import { timingSafeEqual } from 'node:crypto'

// The configured secrets are few and fixed: their bytes are encoded once, not per request.
const known = new Map<string, Buffer>()
function secretBytes (secret: string): Buffer {
  let b = known.get(secret)
  if (b === undefined) {
    if (known.size > 64) known.clear()
    b = Buffer.from(secret, 'utf8')
    known.set(secret, b)
  }
  return b
}

export function matchesAnySecret (presented: string | undefined, secrets: readonly string[]): boolean {
  const given = Buffer.from(presented ?? '', 'utf8')
  let ok = false
  for (const secret of secrets) {
    const want = secretBytes(secret)
    const sameLength = given.length === want.length
    // No early exit: every accepted secret costs the same, whatever was presented.
    if (timingSafeEqual(sameLength ? given : want, want) && sameLength && presented !== undefined) ok = true
  }
  return ok
}
