/**
 * `npm run bench`: every bench in turn, each in its own process (a bench's leftovers cannot slow
 * the next), then one table. Names on the command line run only those benches:
 * `npm run bench -- ingest budget`. The table and the machine are also written to
 * $TMPDIR/enerflo-user-sync-bench/latest.md (and .json) for docs/BENCHMARKS.md.
 *
 *   node --import tsx bench/all.ts
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from './lib/service.js'
import { endProcess, track } from './lib/procs.js'
import { renderTable, row, say, type Row } from './lib/table.js'

const BENCHES: Array<{ name: string, file: string, timeoutS: number }> = [
  { name: 'ingest', file: 'bench/ingest.ts', timeoutS: 240 },
  { name: 'coalescing', file: 'bench/coalescing.ts', timeoutS: 120 },
  { name: 'budget', file: 'bench/budget.ts', timeoutS: 200 },
  { name: 'queue-scale', file: 'bench/queue-scale.ts', timeoutS: 150 },
  { name: 'durability', file: 'bench/durability.ts', timeoutS: 90 },
  { name: 'e2e-latency', file: 'bench/e2e-latency.ts', timeoutS: 90 },
  { name: 'hostile-body', file: 'bench/hostile-body.ts', timeoutS: 90 },
  { name: 'onboarding', file: 'bench/onboarding.ts', timeoutS: 300 },
  { name: 'lanes', file: 'bench/lanes.ts', timeoutS: 300 },
  { name: 'reconcile', file: 'bench/reconcile.ts', timeoutS: 300 },
  { name: 'cluster', file: 'bench/cluster.ts', timeoutS: 300 },
  { name: 'scim', file: 'bench/scim.ts', timeoutS: 300 }
]

function sh (cmd: string, args: string[]): string {
  try { return execFileSync(cmd, args, { encoding: 'utf8' }).trim() } catch { return '(unavailable)' }
}

export function machine (): string {
  const mem = sh('free', ['-h']).split('\n').find((l) => l.startsWith('Mem:'))?.split(/\s+/)[1] ?? '?'
  return [
    `- CPUs (nproc): ${sh('nproc', [])} (Node sees ${availableParallelism()})`,
    `- memory (free -h, total): ${mem}`,
    `- CPU: ${sh('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]).trim()}`,
    `- Node.js ${process.version}; ${sh('redis-server', ['--version']).split(' ').slice(0, 3).join(' ')}`,
    `- OS: ${sh('uname', ['-sr'])}`
  ].join('\n')
}

async function runOne (b: { name: string, file: string, timeoutS: number }, dir: string): Promise<Row[]> {
  const out = join(dir, `${b.name}.json`)
  rmSync(out, { force: true })
  const child = track(spawn(process.execPath, ['--import', 'tsx', b.file, '--json', out], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] }))
  const timer = setTimeout(() => { say(`${b.name}: over ${b.timeoutS} s, stopping it`); void endProcess(child, 'SIGTERM', 5000) }, b.timeoutS * 1000)
  await new Promise((resolve) => child.once('close', resolve))
  clearTimeout(timer)
  if (!existsSync(out)) return [row(b.name, 'bench did not report', { verdict: 'error', note: `exit ${String(child.exitCode ?? child.signalCode)} (timeout ${b.timeoutS} s?)` })]
  return JSON.parse(readFileSync(out, 'utf8')) as Row[]
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const selected = wanted.length === 0 ? BENCHES : BENCHES.filter((b) => wanted.includes(b.name))
if (selected.length === 0) {
  process.stderr.write(`unknown bench; choose from ${BENCHES.map((b) => b.name).join(', ')}\n`)
  process.exit(2)
}
const dir = join(tmpdir(), 'enerflo-user-sync-bench')
mkdirSync(dir, { recursive: true })
const started = Date.now()
const rows: Row[] = []
for (const b of selected) {
  const t = Date.now()
  say(`--- ${b.name} ---`)
  rows.push(...await runOne(b, dir))
  say(`${b.name}: ${((Date.now() - t) / 1000).toFixed(0)} s`)
}
const totalS = (Date.now() - started) / 1000
const table = renderTable(rows)
const summary = `${rows.filter((r) => r.verdict === 'pass').length} pass, ${rows.filter((r) => r.verdict === 'miss').length} miss, ${rows.filter((r) => r.verdict === 'error').length} error`
const report = [
  `enerflo-user-sync benchmarks, ${new Date().toISOString()}: ${summary}; total ${Math.floor(totalS / 60)} min ${Math.round(totalS % 60)} s`,
  '',
  machine(),
  '',
  table
].join('\n')
writeFileSync(join(dir, 'latest.md'), `${report}\n`)
writeFileSync(join(dir, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), totalS, rows }, null, 2))
process.stdout.write(`\n${report}\n\n(also in ${join(dir, 'latest.md')})\n`)
process.exit(rows.some((r) => r.verdict === 'error') ? 1 : 0)
