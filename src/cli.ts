#!/usr/bin/env node
/**
 * The `enerflo-user-sync` command (package.json "bin"): operator commands against a running
 * instance, and `serve` to run the service itself. All logic is in src/cli/main.ts; this file
 * only binds it to the process.
 */
import { main } from './cli/main.js'

// `… | head` closes the pipe once it has read enough: that is the reader's choice, not an error.
// Stop quietly with 0 rather than crash with an EPIPE stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})

// exitCode rather than exit(): `serve` returns while the server it started keeps running.
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
