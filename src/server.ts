#!/usr/bin/env node
/**
 * The process: read the environment, load the mapping file, start sandbox peers when there are no
 * credentials, build the app for SERVICE_ROLE, listen, and drain cleanly on SIGTERM/SIGINT.
 */
import closeWithGrace from 'close-with-grace'
import { loadConfig, type Config } from './config.js'
import { loadMappingFile } from './mapping/mapping-file.js'
import { buildApp } from './app.js'
import { startSandbox, sandboxBanner, type SandboxRuntime } from './sandbox-mode.js'
import { SyncError } from './errors.js'
import { noProviderWarning, startSummary } from './start-summary.js'

function fatal (err: unknown): never {
  const message = err instanceof SyncError ? err.message : `could not start: ${(err as Error).message}`
  process.stderr.write(`${message}\n`)
  process.exit(1)
}

async function main (): Promise<void> {
  let config: Config
  let mapping
  try {
    config = loadConfig(process.env)
    mapping = await loadMappingFile(config.MAPPING_FILE)
  } catch (err) {
    fatal(err)
  }
  const warning = noProviderWarning(config)
  if (warning !== undefined) process.stderr.write(warning)
  let sandbox: SandboxRuntime | undefined
  if (config.sandbox) {
    sandbox = await startSandbox(config)
    config = sandbox.config
  }
  const app = await buildApp({ config, mapping })
  closeWithGrace({ delay: 25_000 }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err: { name: err.name, message: err.message } }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down: draining requests and active jobs')
    await app.close()
    await sandbox?.close()
  })
  await app.listen({ port: config.PORT, host: config.HOST })
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr !== null ? addr.port : config.PORT
  if (sandbox !== undefined) process.stdout.write(sandboxBanner(sandbox, `http://${host}:${port}`) + '\n')
  else process.stdout.write(startSummary(config, mapping, `http://${config.HOST}:${port}`))
}

main().catch(fatal)
