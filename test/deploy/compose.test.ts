/**
 * The deployment files (docker-compose.yml, .env.example, Dockerfile, .dockerignore), checked
 * without a Docker engine: compose takes every variable the service reads from the env file,
 * the mapping is mounted rather than baked in, Redis is private and configured for BullMQ, the
 * healthchecks follow PORT (run for real against a local server), and a stop covers the drain.
 * When docker-compose is installed, its own validator reads the file too. The image's ENTRYPOINT
 * and CMD are run from source the way `docker run <image> [args]` would combine them.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'yaml'
import { EnvSchema } from '../../src/config.js'
import { GraphEnvProperties } from '../../src/graph/env.js'
import { freePort } from '../helpers/redis.js'

const ROOT = join(import.meta.dirname, '../..')
const read = (name: string): string => readFileSync(join(ROOT, name), 'utf8')
const run = promisify(execFile)

interface Service { image?: string, command?: string[], ports?: string[], env_file?: Array<string | { path: string }>, environment?: unknown, volumes?: string[], healthcheck?: { test?: string[] }, stop_grace_period?: string }
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> }
const redis = compose.services['redis'] as Service
const app = compose.services['enerflo-user-sync'] as Service

function envExample (): Map<string, string> {
  const vars = new Map<string, string>()
  for (const line of read('.env.example').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)
    if (m === null) throw new Error(`.env.example: not NAME=value: ${line}`)
    if (vars.has(m[1] as string)) throw new Error(`.env.example: ${m[1]} twice`)
    vars.set(m[1] as string, m[2] as string)
  }
  return vars
}

/** The variables README's configuration table documents. */
function readmeVariables (): string[] {
  const text = read('README.md')
  const table = text.slice(text.indexOf('| variable |'), text.indexOf('Provider variables left unset'))
  return [...new Set([...table.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] as string))]
}

t.test('compose takes every variable from the env file, and .env.example lists every one', async (t) => {
  const files = (app.env_file ?? []).map((f) => typeof f === 'string' ? f : f.path)
  t.same(files, ['.env'], 'env_file: .env')
  t.equal(app.environment, undefined, 'no environment: block that could shadow or drop a variable')
  const vars = envExample()
  const names = new Set([...readmeVariables(), ...Object.keys(EnvSchema.properties), ...Object.keys(GraphEnvProperties)])
  t.ok(names.size > 30, 'the README table and the schema were read')
  for (const name of names) t.ok(vars.has(name), `.env.example lists ${name}`)
  t.equal(vars.get('REDIS_URL'), 'redis://redis:6379', 'Redis is the compose network\'s')
  for (const secret of ['ENERFLO_API_KEY', 'OKTA_API_TOKEN', 'OKTA_WEBHOOK_SECRET', 'GRAPH_CLIENT_SECRET', 'GRAPH_CLIENT_STATE', 'OPS_TOKEN', 'METRICS_TOKEN']) {
    t.equal(vars.get(secret), '', `${secret} ships empty`)
  }
})

t.test('Redis is private to the compose network and configured for BullMQ', async (t) => {
  t.equal(redis.ports, undefined, 'no port published on the host')
  const args = (redis.command ?? []).join(' ')
  t.match(args, /--appendonly yes/)
  t.match(args, /--maxmemory-policy noeviction/)
  t.ok((app.ports ?? []).every((p) => p.startsWith('127.0.0.1:')), 'the service port is bound to 127.0.0.1 only')
  t.match(app.ports, ['127.0.0.1:${PORT:-3000}:${PORT:-3000}'], 'and follows PORT')
})

t.test('the mapping file is mounted, never baked into the image', async (t) => {
  t.ok((app.volumes ?? []).includes('./mapping.json:/app/mapping.json:ro'), 'mounted read-only at the default MAPPING_FILE')
  const dockerfile = read('Dockerfile')
  t.match(dockerfile, /^WORKDIR \/app$/m, 'the default ./mapping.json resolves to /app/mapping.json')
  t.notMatch(dockerfile, /^COPY\s.*mapping\.json/m, 'the Dockerfile does not copy it')
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim())
  for (const name of ['mapping.json', '.env']) t.ok(ignored.includes(name), `.dockerignore keeps ${name} out of the build context`)
})

t.test('a stop waits longer than the 25 s drain', async (t) => {
  const m = /^(\d+)s$/.exec(app.stop_grace_period ?? '')
  t.ok(m !== null && Number(m[1]) >= 30, `stop_grace_period ${app.stop_grace_period ?? 'unset'} covers 25 s and a margin`)
})

/** Runs a healthcheck's node -e script with PORT set, against a local server answering `status`. */
async function probe (script: string, status: number): Promise<number> {
  const server = createServer((req, res) => { res.writeHead(req.url === '/healthz' ? status : 404).end() })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const port = String((server.address() as AddressInfo).port)
    return await run(process.execPath, ['-e', script], { env: { PORT: port } }).then(() => 0, (err: { code?: number }) => err.code ?? -1)
  } finally {
    server.close()
  }
}

t.test('both healthchecks check the port PORT names', async (t) => {
  const test = app.healthcheck?.test ?? []
  t.same(test.slice(0, 3), ['CMD', 'node', '-e'])
  const dockerfile = /^HEALTHCHECK .* CMD node -e "(.*)"$/m.exec(read('Dockerfile'))?.[1]
  for (const [name, script] of [['compose', test[3]], ['Dockerfile', dockerfile]] as const) {
    if (script === undefined) { t.fail(`${name}: no healthcheck script`); continue }
    t.equal(await probe(script, 200), 0, `${name}: healthy when /healthz on $PORT answers 200`)
    t.equal(await probe(script, 503), 1, `${name}: unhealthy when it answers 503`)
  }
})

t.test('docker-compose itself accepts the file (when installed)', async (t) => {
  const found = await run('docker-compose', ['version', '--short']).then(() => true, () => false)
  if (!found) { t.comment('docker-compose is not installed: its validator was not run'); return }
  const dir = mkdtempSync(join(tmpdir(), 'efs-compose-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  cpSync(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'))
  cpSync(join(ROOT, '.env.example'), join(dir, '.env'))
  writeFileSync(join(dir, 'mapping.json'), '{}')
  const { stdout } = await run('docker-compose', ['config'], { cwd: dir, env: { PATH: process.env['PATH'] ?? '' } })
  const resolved = parse(stdout) as { services: Record<string, { environment?: Record<string, string>, ports?: unknown[] }> }
  t.equal(resolved.services['enerflo-user-sync']?.environment?.['REDIS_URL'], 'redis://redis:6379', 'the env file reaches the service')
  t.equal(resolved.services['redis']?.ports, undefined, 'Redis publishes nothing')
})

/** The last stage's exec-form ENTRYPOINT and CMD, as Docker reads them. */
function runtimeCommand (): { entrypoint: string[] | undefined, cmd: string[] | undefined } {
  const text = read('Dockerfile').replace(/\\\n/g, ' ')
  const stage = text.slice(text.lastIndexOf('\nFROM '))
  const exec = (name: string): string[] | undefined => {
    const lines = [...stage.matchAll(new RegExp(`^${name}\\s+(.*)$`, 'gm'))]
    const last = lines.at(-1)?.[1]
    if (last === undefined) return undefined
    const parsed = JSON.parse(last) as unknown
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`${name} is not in exec form: ${last}`)
    return parsed
  }
  return { entrypoint: exec('ENTRYPOINT'), cmd: exec('CMD') }
}

/** `docker run <image> ...args`: arguments replace CMD, ENTRYPOINT stays. */
function dockerRun (args: string[]): string[] {
  const { entrypoint, cmd } = runtimeCommand()
  return [...(entrypoint ?? []), ...(args.length > 0 ? args : cmd ?? [])]
}

/** Runs what the container would, from source: dist/src/X.js is the build of src/X.ts. */
function fromSource (argv: string[]): string[] {
  const [program, script, ...rest] = argv
  if (program !== 'node' || script === undefined) throw new Error(`not a node command: ${argv.join(' ')}`)
  const m = /^dist\/(src\/[\w/-]+)\.js$/.exec(script)
  if (m === null) throw new Error(`not a script of the build: ${script}`)
  return ['-u', 'NODE_OPTIONS', process.execPath, '--import', 'tsx', `${m[1] as string}.ts`, ...rest]
}

t.test('docker run <image> --help prints the service\'s help, not Node\'s', async (t) => {
  const argv = dockerRun(['--help'])
  t.same(argv.slice(0, 2), ['node', 'dist/src/cli.js'], 'the entrypoint is the project\'s CLI, so --help reaches it')
  const { stdout } = await run('/usr/bin/env', fromSource(argv), { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' } })
  t.match(stdout, /^usage: enerflo-user-sync <command>/, 'the CLI\'s usage line')
  t.match(stdout, /^ {2}serve\s+Start the service itself/m, 'which lists serve')
  t.notMatch(stdout, /Usage: node \[options\]/, 'not Node\'s help')
  const { stdout: doctor } = await run('/usr/bin/env', fromSource(dockerRun(['doctor', '--help'])), { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' } })
  t.match(doctor, /^usage: enerflo-user-sync doctor/, 'an operator command\'s own help: docker run <image> doctor --help')
})

t.test('docker run <image> with no arguments serves', async (t) => {
  const argv = dockerRun([])
  t.same(argv, ['node', 'dist/src/cli.js', 'serve'])
  // Sandbox mode without a Redis: serve prints the banner (and that Redis is not reachable yet).
  const child = execFile('/usr/bin/env', fromSource(argv), {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: String(await freePort()), REDIS_URL: `redis://127.0.0.1:${await freePort()}`, LOG_LEVEL: 'silent' }
  })
  const exited = new Promise<void>((resolve) => child.once('close', () => { resolve() }))
  t.teardown(async () => { child.kill('SIGKILL'); await exited })
  let out = ''
  const banner = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (s: string) => { out += s; if (/SANDBOX mode/.test(out)) resolve() })
    void exited.then(() => { reject(new Error(`serve exited before its banner:\n${out}`)) })
  })
  await banner
  t.match(out, /enerflo-user-sync is running in SANDBOX mode/, 'the service started')
})
