/**
 * Per-source delivery accounting for /status, read from the counters the receivers keep
 * (`<source>.<counter>` in the stats hash): accepted, duplicates and rejected by reason.
 */
export function sourceSummary (stats: Record<string, number>, source: string): { accepted: number, duplicates: number, rejected: Record<string, number> } {
  const n = (k: string): number => stats[`${source}.${k}`] ?? 0
  const duplicates = n('events.duplicate')
  const rejected: Record<string, number> = {}
  const prefix = `${source}.rejected.`
  for (const [k, v] of Object.entries(stats)) if (k.startsWith(prefix)) rejected[k.slice(prefix.length)] = v
  return { accepted: Math.max(0, n('events.user-change') - duplicates), duplicates, rejected }
}

/** How the error handler names a rejected webhook request in those counters. */
export function rejectionReason (status: number): string | undefined {
  return ({ 400: 'malformed', 401: 'auth', 403: 'auth', 413: 'too-large', 415: 'media-type', 429: 'auth-throttled', 503: 'unavailable' } as Record<number, string>)[status]
}
