/**
 * Which users' mapped groups moved between two passes: a user joined or left a mapped group (or
 * several) without any other change, which neither Okta's lastUpdated nor Graph's users delta
 * shows. Both passes keep what they saw (watermarks.ts) and ask only about these users.
 */

/** Users whose set of mapped group names differs between `before` and `now` (either side empty counts). */
export function membershipChanges (before: ReadonlyMap<string, readonly string[]>, now: ReadonlyMap<string, readonly string[]>): string[] {
  const key = (names: readonly string[] | undefined): string => [...new Set(names ?? [])].sort().join('\n')
  const out: string[] = []
  for (const id of new Set([...before.keys(), ...now.keys()])) {
    if (key(before.get(id)) !== key(now.get(id))) out.push(id)
  }
  return out.sort()
}
