/**
 * The CLI's main(argv, io): find the command, parse its options, run it against the service at
 * --url, and turn every outcome into an exit code (0 done, 1 error, 2 usage). It never touches
 * process globals, so tests run it in-process with their own streams and environment.
 */
import { commandHelp, parseCommand, splitCommand, GLOBAL_OPTIONS } from './args.js'
import { createApi, type Api } from './client.js'
import { statusCommand } from './status.js'
import { failedCommand, retryCommand, discardCommand } from './failed.js'
import { unresolvedCommand, linkCommand, unlinkCommand, importLinksCommand } from './links.js'
import { userCommand, previewCommand } from './user.js'
import { linksCommand } from './links-list.js'
import { reconcileCommand, reconcileRunsCommand } from './reconcile.js'
import { doctorCommand } from './doctor.js'
import { blockedCommand } from './blocked.js'
import { holdsCommand } from './holds.js'
import { followUpsCommand } from './follow-ups.js'
import { CliError, UsageError, type Command, type Io } from './types.js'

export type { Io } from './types.js'

const BIN = 'enerflo-user-sync'
export const DEFAULT_URL = 'http://127.0.0.1:3000'

/** What a local command (serve) gets instead of a client: it calls no service. */
const OFFLINE: Api = { url: '', call: async () => { throw new CliError('this command talks to no service') }, close: async () => {} }

const serveCommand: Command = {
  name: 'serve',
  args: '',
  summary: 'Start the service itself (configured by environment variables; see the README).',
  remote: false,
  async run () {
    // The process module starts listening when imported and owns signals and shutdown from then on.
    await import('../server.js')
    return 0
  }
}

export const COMMANDS: Command[] = [
  statusCommand, failedCommand, retryCommand, discardCommand, unresolvedCommand, linksCommand, linkCommand,
  unlinkCommand, importLinksCommand, reconcileCommand, reconcileRunsCommand, holdsCommand, userCommand, previewCommand, blockedCommand, followUpsCommand, doctorCommand, serveCommand
]

export function generalHelp (): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    `usage: ${BIN} <command> [arguments] [options]`,
    '',
    'Talks to a running enerflo-user-sync over HTTP (the /status and /ops routes).',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'options for every command:',
    ...Object.entries(GLOBAL_OPTIONS).map(([name, o]) => `  --${name}${o.value !== undefined ? ` ${o.value}` : ''}`.padEnd(18) + `  ${o.description}`),
    '',
    `${BIN} <command> --help shows a command's arguments and options.`,
    'Exit codes: 0 done, 1 error (service unreachable, refused, or failed), 2 wrong usage.'
  ].join('\n') + '\n'
}

function resolveUrl (raw: string): string {
  let url: URL
  try { url = new URL(raw) } catch { throw new UsageError(`--url must be an http(s) URL (got ${JSON.stringify(raw)})`) }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https (got ${url.protocol})`)
  return url.href
}

const empty = (v: string | undefined): string | undefined => v === undefined || v === '' ? undefined : v

export async function main (argv: string[], io: Io): Promise<number> {
  const err = (text: string): void => { io.stderr.write(`${text}\n`) }
  let command: Command | undefined
  try {
    const { name, rest } = splitCommand(argv, COMMANDS)
    if (name === undefined || name === 'help') {
      const topic = name === 'help' ? COMMANDS.find((c) => c.name === splitCommand(rest, COMMANDS).name) : undefined
      const asked = name === 'help' || argv.includes('--help') || argv.includes('-h')
      ;(asked ? io.stdout : io.stderr).write(topic !== undefined ? commandHelp(topic, BIN) : generalHelp())
      return asked ? 0 : 2
    }
    command = COMMANDS.find((c) => c.name === name)
    if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)} (one of: ${COMMANDS.map((c) => c.name).join(', ')})`)
    const { positionals, values } = parseCommand(command, rest)
    if (values.help === true) { io.stdout.write(commandHelp(command, BIN)); return 0 }
    if (command.remote === false) {
      return await command.run({ api: OFFLINE, json: false, out: (text) => { io.stdout.write(`${text}\n`) }, err: io.stderr }, positionals, values)
    }
    const url = resolveUrl(typeof values.url === 'string' ? values.url : empty(io.env.ENERFLO_SYNC_URL) ?? DEFAULT_URL)
    const token = typeof values.token === 'string' ? values.token : empty(io.env.OPS_TOKEN)
    const api = createApi({ url, token })
    try {
      return await command.run({ api, json: values.json === true, out: (text) => { io.stdout.write(`${text}\n`) }, err: io.stderr }, positionals, values)
    } finally {
      await api.close()
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${BIN}: ${e.message}`)
      err(`see: ${BIN} ${command?.name ?? ''}${command === undefined ? '' : ' '}--help`)
      return 2
    }
    if (e instanceof CliError) { err(`${BIN}: ${e.message}`); return 1 }
    err(`${BIN}: unexpected error: ${(e as Error).message}`)
    return 1
  }
}
