/**
 * Progress of a reconciliation run as the CLI polls it: on a terminal one bar redrawn in place
 * (scanned of total, queued, an ETA), anywhere else (a log, CI, a pipe) one plain line each time
 * the numbers move, so a log holds a readable history rather than carriage returns.
 */
import { clean, duration } from './format.js'

export interface Progress { scanned: number, total: number | null, queued: number }

/**
 * Estimates the time left from the scan rate seen between polls. A pass may count in phases (the
 * enerflo pass first counts reads of Enerflo's list, then linked users, each with its own total),
 * so a new total or a count that went back starts the measurement again.
 */
export function createEta () {
  let first: { at: number, scanned: number, total: number | null } | undefined
  let last = 0
  return (p: Progress, now: number): number | undefined => {
    const wentBack = p.scanned < last
    last = p.scanned
    if (first === undefined || first.total !== p.total || wentBack) {
      first = { at: now, scanned: p.scanned, total: p.total }
      return undefined
    }
    const done = p.scanned - first.scanned
    if (p.total === null || done <= 0 || now <= first.at) return undefined
    return Math.max(0, p.total - p.scanned) * (now - first.at) / done
  }
}

const percent = (p: Progress): number | undefined =>
  p.total === null || p.total === 0 ? undefined : Math.min(100, Math.floor(p.scanned * 100 / p.total))

/** `scanned 3 of 5 (60%) · queued 0 · ETA 2s`; no ETA while the rate is unknown. */
export function progressText (p: Progress, etaMs: number | undefined): string {
  const pct = percent(p)
  const scanned = p.total === null ? `scanned ${clean(p.scanned)} (total not known yet)` : `scanned ${clean(p.scanned)} of ${clean(p.total)}${pct === undefined ? '' : ` (${pct}%)`}`
  return `${scanned} · queued ${clean(p.queued)}${etaMs === undefined ? '' : ` · ETA ${duration(etaMs)}`}`
}

/** `[#####.....]`, `width` characters inside the brackets; all dots while the total is unknown. */
export function bar (p: Progress, width: number): string {
  const filled = Math.round((percent(p) ?? 0) * width / 100)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`
}

export interface ProgressStream { write: (chunk: string) => unknown, isTTY?: boolean, columns?: number }

/** Draws progress on `stream` (stderr): call `update` after every poll and `end` once. */
export function createProgressReporter (stream: ProgressStream, now: () => number = Date.now) {
  const eta = createEta()
  let lastLine = ''
  let drawn = false
  return {
    update (p: Progress): void {
      const text = progressText(p, eta(p, now()))
      if (stream.isTTY === true) {
        // Cut to the terminal's width: a wrapped line cannot be redrawn with \r.
        const line = `${bar(p, 24)} ${text}`.slice(0, Math.max(20, (stream.columns ?? 80) - 1)).replace(/[\s·]+$/, '')
        stream.write(`\r${line}\u001b[K`)
        drawn = true
        return
      }
      // A line per change of the counts; a new ETA alone is not news in a log.
      const counts = progressText(p, undefined)
      if (counts === lastLine) return
      lastLine = counts
      stream.write(`${text}\n`)
    },
    end (): void {
      if (drawn) stream.write('\n')
      drawn = false
    }
  }
}
