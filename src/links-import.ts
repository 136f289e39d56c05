/**
 * Bulk identity links from a JSON array or a CSV file, validated row by row: good rows are
 * returned to be stored, bad ones with the reason, so one typo does not sink a thousand links.
 */
import { isUserId } from './sync/user-id.js'

export interface LinkRow { row: number, source: 'okta' | 'graph' | 'scim', idpUserId: string, enerfloUserId: number }
export interface RejectedRow { row: number, reason: string }

function checkRow (raw: Record<string, unknown>, row: number, seen: Set<string>): LinkRow | RejectedRow {
  const source = String(raw['source'] ?? '').trim().toLowerCase()
  const idpUserId = String(raw['idpUserId'] ?? raw['idp_user_id'] ?? '').trim()
  const rawId = String(raw['enerfloUserId'] ?? raw['enerflo_user_id'] ?? '').trim()
  if (source !== 'okta' && source !== 'graph' && source !== 'scim') return { row, reason: `source must be okta, graph or scim (got ${JSON.stringify(source)})` }
  if (!isUserId(idpUserId)) return { row, reason: 'idp user id is missing, only dots, or has characters other than letters, digits and . _ - (use the provider\'s user id, not an email address)' }
  const id = /^\d{1,10}$/.test(rawId) ? Number(rawId) : NaN
  if (!Number.isInteger(id) || id < 1 || id > 2147483647) return { row, reason: `Enerflo user id must be a positive integer (got ${JSON.stringify(rawId)})` }
  const key = `${source}:${idpUserId}`
  if (seen.has(key)) return { row, reason: `${key} appears more than once; only the first row is used` }
  seen.add(key)
  return { row, source, idpUserId, enerfloUserId: id }
}

/** One CSV line into fields; double quotes may wrap a field ("" is a quote inside one). */
function splitCsvLine (line: string): string[] {
  const out: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++ } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') { out.push(field); field = '' } else field += c
  }
  out.push(field)
  return out
}

export function parseCsvRows (text: string): Array<Record<string, unknown>> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '')
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase())
  return lines.map((line) => Object.fromEntries(splitCsvLine(line).map((v, i) => [header[i] ?? `col${i}`, v])))
}

export function checkRows (rows: unknown[]): { links: LinkRow[], rejected: RejectedRow[] } {
  const links: LinkRow[] = []
  const rejected: RejectedRow[] = []
  const seen = new Set<string>()
  rows.forEach((raw, i) => {
    const result = raw !== null && typeof raw === 'object' && !Array.isArray(raw)
      ? checkRow(raw as Record<string, unknown>, i + 1, seen)
      : { row: i + 1, reason: 'not an object' }
    if ('reason' in result) rejected.push(result)
    else links.push(result)
  })
  return { links, rejected }
}
