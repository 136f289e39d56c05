/**
 * The one table every bench reports into: figure, target, measured, baseline, ratio, verdict.
 * A bench run alone prints its rows; `npm run bench` (bench/all.ts) gathers every bench's rows
 * from a JSON file each child writes and prints them as one table.
 */
import { writeFileSync } from 'node:fs'

export type Verdict = 'pass' | 'miss' | 'info' | 'n/a' | 'error'

export interface Row {
  bench: string
  figure: string
  target: string
  measured: string
  baseline: string
  ratio: string
  verdict: Verdict
  /** Why a target was missed, or what a figure means; printed under the table. */
  note?: string
}

export function row (bench: string, figure: string, fields: Partial<Omit<Row, 'bench' | 'figure'>>): Row {
  return { bench, figure, target: '–', measured: '–', baseline: '–', ratio: '–', verdict: 'info', ...fields }
}

export const verdict = (ok: boolean): Verdict => ok ? 'pass' : 'miss'

const HEAD = ['#', 'figure', 'target', 'measured', 'baseline', 'ratio', 'pass/miss']

export function renderTable (rows: Row[]): string {
  const cells = rows.map((r) => [r.bench, r.figure, r.target, r.measured, r.baseline, r.ratio, r.verdict])
  const widths = HEAD.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)))
  const line = (c: string[]): string => `| ${c.map((s, i) => s.padEnd(widths[i] ?? 0)).join(' | ')} |`
  const out = [line(HEAD), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)]
  const notes = rows.filter((r) => r.note !== undefined)
  if (notes.length > 0) {
    out.push('', 'Notes:')
    for (const r of notes) out.push(`- ${r.bench} ${r.figure}: ${r.note ?? ''}`)
  }
  return out.join('\n')
}

export const say = (msg: string): void => { process.stderr.write(`[bench] ${msg}\n`) }

/**
 * Runs one bench as a program: prints its table, or with `--json FILE` writes the rows for
 * bench/all.ts. Always exits, so a stray handle cannot keep a bench alive.
 */
export async function runMain (name: string, run: () => Promise<Row[]>): Promise<void> {
  const started = Date.now()
  const i = process.argv.indexOf('--json')
  const jsonFile = i >= 0 ? process.argv[i + 1] : undefined
  let rows: Row[]
  let code = 0
  try {
    rows = await run()
  } catch (err) {
    code = 1
    rows = [row(name, 'bench failed', { verdict: 'error', note: (err as Error).stack ?? String(err) })]
  }
  if (jsonFile !== undefined) writeFileSync(jsonFile, JSON.stringify(rows))
  else process.stdout.write(`${renderTable(rows)}\n`)
  say(`${name} finished in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  process.exit(code)
}
