/**
 * Constant-time secret checks. Both sides are hashed first so that neither the length nor the
 * position of the first differing byte leaks through timing, and a list of accepted secrets
 * (current and previous, during rotation) is always checked in full.
 */
import * as crypto from 'node:crypto'

// One-shot `crypto.hash` (Node 20.12+) skips the Hash object and its stream machinery that
// createHash builds per call; the digest is the same SHA-256.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash
const digest: (value: string) => Buffer = oneShot !== undefined
  ? (value) => oneShot('sha256', value, 'buffer')
  : (value) => crypto.createHash('sha256').update(value, 'utf8').digest()

// The configured secrets are few and fixed: their digests are computed once, not per request.
const known = new Map<string, Buffer>()
function secretDigest (secret: string): Buffer {
  let d = known.get(secret)
  if (d === undefined) {
    if (known.size > 64) known.clear()
    d = digest(secret)
    known.set(secret, d)
  }
  return d
}

export function matchesAnySecret (presented: string | undefined, secrets: readonly string[]): boolean {
  const given = digest(presented ?? '')
  let ok = false
  for (const secret of secrets) {
    // No early exit: every accepted secret costs the same.
    if (crypto.timingSafeEqual(given, secretDigest(secret)) && presented !== undefined) ok = true
  }
  return ok
}
