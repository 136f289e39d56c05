/**
 * The shapes shared by the CLI's modules: what a command declares (so help and parsing come from
 * one place) and what it gets to run with.
 */
import type { Api } from './client.js'

export interface Io {
  stdout: { write: (chunk: string) => unknown }
  /** A terminal (isTTY) gets a progress bar redrawn in place; anything else plain lines. */
  stderr: { write: (chunk: string) => unknown, isTTY?: boolean, columns?: number }
  env: Record<string, string | undefined>
}

export interface OptionDef {
  type: 'string' | 'boolean'
  description: string
  /** Shown in help after the flag, e.g. `--code <code>`. */
  value?: string
  short?: string
}

export type Values = Record<string, string | boolean | undefined>

export interface Ctx {
  api: Api
  json: boolean
  /** Writes one line (or block) to stdout. */
  out: (text: string) => void
  /** Where progress goes (stderr), so stdout stays what a script reads or redirects. */
  err: Io['stderr']
}

export interface Command {
  name: string
  /** Positional arguments as shown in help, e.g. `<source> <idpUserId>`. */
  args: string
  summary: string
  /** More lines of help: what it prints, exit codes that differ, examples. */
  details?: string[]
  options?: Record<string, OptionDef>
  /** false for commands that do not talk to a running service (serve). */
  remote?: boolean
  run: (ctx: Ctx, positionals: string[], values: Values) => Promise<number>
}

/** Wrong use of the CLI: exit code 2 and a pointer to the command's --help. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Anything else that went wrong, in words for the operator: exit code 1. */
export class CliError extends Error {
  override name = 'CliError'
}

/** The service answered with an error status: the sentence for people, and what it said. */
export class ServiceRefusal extends CliError {
  override name = 'ServiceRefusal'
  constructor (message: string, readonly status: number, readonly body: unknown) { super(message) }
}
