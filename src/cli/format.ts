/**
 * Text output for people: aligned tables, durations, relative times. Every value that came from
 * the service (and so, possibly, from an identity provider) passes through `clean`, so a name
 * with terminal escape sequences cannot repaint or retitle the operator's terminal.
 */

// C0 and C1 control characters (ESC, CSI, BEL, CR …): a value shown on one line never needs them.
// eslint-disable-next-line no-control-regex -- these characters are exactly what must be found and stripped
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g

/** A value as one line of safe text; null and undefined as '-'. */
export function clean (value: unknown): string {
  if (value === null || value === undefined || value === '') return '-'
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(clean).join(', ')
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** Columns padded to their widest cell; the last column is not padded (long reasons wrap). */
export function table (headers: string[], rows: unknown[][]): string {
  const cells = [headers, ...rows.map((r) => headers.map((_, i) => clean(r[i])))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  return cells.map((r) => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')
}

/** `label  value` lines with the labels aligned; false/undefined entries are skipped. */
export function pairs (rows: Array<readonly [string, unknown] | false | null | undefined>, indent = ''): string {
  const kept = rows.filter((r): r is readonly [string, unknown] => Array.isArray(r))
  const width = Math.max(0, ...kept.map(([k]) => k.length))
  return kept.map(([k, v]) => `${indent}${k.padEnd(width)}  ${clean(v)}`).join('\n')
}

export function duration (ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '-'
  let s = Math.max(0, Math.round(ms / 1000))
  const parts: string[] = []
  for (const [n, unit] of [[86_400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']] as const) {
    const v = Math.floor(s / n)
    s -= v * n
    if (v > 0) parts.push(`${v}${unit}`)
  }
  return parts.slice(0, 2).join(' ') || '0s'
}

/** An ISO time as itself plus how far off: `… (3m 2s ago)`, or `… (in 29d)` for one ahead (an expiry). */
export function when (iso: unknown, now = Date.now()): string {
  if (typeof iso !== 'string') return '-'
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return clean(iso)
  // Within a second either way reads as now: a clock a few ms ahead is not "the future".
  return t - now >= 1000 ? `${clean(iso)} (in ${duration(t - now)})` : `${clean(iso)} (${duration(now - t)} ago)`
}

/** "3 job(s)" without getting the plural wrong. */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`
