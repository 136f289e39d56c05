// The project's own coverage bar (DESIGN.md §7): tap is told not to demand 100 %, and this checks
// that the service's code (src/, plugins/, queues/) stays at or above 90 % of lines.
import { readFileSync } from 'node:fs'

const BAR = 90
const summary = JSON.parse(readFileSync(new URL('../.tap/report/coverage-summary.json', import.meta.url), 'utf8'))
let covered = 0
let total = 0
for (const [file, s] of Object.entries(summary)) {
  if (file === 'total' || !/\/(src|plugins|queues)\//.test(file)) continue
  covered += s.lines.covered
  total += s.lines.total
}
const pct = total === 0 ? 0 : (100 * covered) / total
const line = `coverage of src/, plugins/, queues/: ${pct.toFixed(2)} % of ${total} lines (bar: ${BAR} %)`
if (pct < BAR) {
  console.error(`${line}: below the bar`)
  process.exit(1)
}
console.log(line)
