/**
 * Argument parsing on node:util parseArgs: find the command, then parse strictly with the global
 * options plus that command's own, so a typo is a usage error (exit 2) rather than a guess.
 * Also the value checks commands share (counts, whole numbers, times).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError, type Command, type OptionDef, type Values } from './types.js'

export const GLOBAL_OPTIONS: Record<string, OptionDef> = {
  url: { type: 'string', value: '<url>', description: 'the service (default $ENERFLO_SYNC_URL, else http://127.0.0.1:3000)' },
  token: { type: 'string', value: '<token>', description: 'the ops token (default $OPS_TOKEN)' },
  json: { type: 'boolean', description: 'print the service\'s JSON answer as is (for scripts)' },
  help: { type: 'boolean', short: 'h', description: 'show help' }
}

type ParseOptions = NonNullable<ParseArgsConfig['options']>

function toParseArgs (defs: Record<string, OptionDef>): ParseOptions {
  const options: ParseOptions = {}
  for (const [name, d] of Object.entries(defs)) options[name] = d.short === undefined ? { type: d.type } : { type: d.type, short: d.short }
  return options
}

/**
 * The command name (the first positional) and the arguments without it. Options of every
 * command are known here so that `--code X` is not mistaken for a command named X.
 */
export function splitCommand (argv: string[], commands: Command[]): { name: string | undefined, rest: string[] } {
  const all: Record<string, OptionDef> = { ...GLOBAL_OPTIONS }
  for (const c of commands) Object.assign(all, c.options)
  const { tokens } = parseArgs({ args: argv, options: toParseArgs(all), strict: false, allowPositionals: true, tokens: true })
  const first = tokens.find((t) => t.kind === 'positional')
  if (first === undefined) return { name: undefined, rest: argv }
  return { name: first.value, rest: argv.filter((_, i) => i !== first.index) }
}

export function parseCommand (command: Command, rest: string[]): { positionals: string[], values: Values } {
  try {
    const { positionals, values } = parseArgs({
      args: rest, options: toParseArgs({ ...GLOBAL_OPTIONS, ...command.options }), strict: true, allowPositionals: true
    })
    return { positionals, values: values as Values }
  } catch (err) {
    const e = err as { code?: string, message: string }
    if (e.code?.startsWith('ERR_PARSE_ARGS') === true) throw new UsageError(e.message.split('. ')[0] ?? e.message)
    throw err
  }
}

/** Exactly the positionals the command takes (`names` as shown in help). */
export function expectArgs (positionals: string[], names: string[]): string[] {
  if (positionals.length !== names.length) {
    const what = positionals.length < names.length ? `missing ${names.slice(positionals.length).join(' ')}` : `unexpected ${positionals.slice(names.length).join(' ')}`
    throw new UsageError(`${what} (expected ${names.join(' ')})`)
  }
  return positionals
}

export function str (values: Values, key: string): string | undefined {
  const v = values[key]
  return typeof v === 'string' ? v : undefined
}

export function wholeNumber (raw: string | undefined, what: string, min = 0): number | undefined {
  if (raw === undefined) return undefined
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < min) throw new UsageError(`${what} must be a whole number ≥ ${min} (got ${JSON.stringify(raw)})`)
  return Number(raw)
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** An ISO time, or an age such as `90m`, `2h`, `7d` (that long before now), as ISO. */
export function timeOption (raw: string | undefined, what: string, now = Date.now()): string | undefined {
  if (raw === undefined) return undefined
  const age = /^(\d{1,6})([smhd])$/.exec(raw)
  if (age !== null) return new Date(now - Number(age[1]) * (UNIT_MS[age[2] ?? 's'] ?? 1000)).toISOString()
  const t = Date.parse(raw)
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(t)) {
    throw new UsageError(`${what} must be an ISO time (2024-05-01T10:00:00Z) or an age (30m, 2h, 7d); got ${JSON.stringify(raw)}`)
  }
  return new Date(t).toISOString()
}

/** Help for one command, generated from what it declares. */
export function commandHelp (c: Command, bin: string): string {
  // serve talks to no service: --url, --token and --json mean nothing to it.
  const globals = c.remote === false ? { help: GLOBAL_OPTIONS.help as OptionDef } : GLOBAL_OPTIONS
  const opts = Object.entries({ ...c.options, ...globals })
  const flag = ([name, d]: [string, OptionDef]): string => `${d.short !== undefined ? `-${d.short}, ` : ''}--${name}${d.value !== undefined ? ` ${d.value}` : ''}`
  const width = Math.max(...opts.map((o) => flag(o).length))
  return [
    `usage: ${bin} ${c.name}${c.args.length > 0 ? ` ${c.args}` : ''} [options]`,
    '',
    c.summary,
    ...(c.details !== undefined ? ['', ...c.details] : []),
    '',
    'options:',
    ...opts.map((o) => `  ${flag(o).padEnd(width)}  ${o[1].description}`)
  ].join('\n') + '\n'
}
