/** The service's version, from package.json (read once; the file ships with the build). */
import { readFileSync } from 'node:fs'

function read (): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'enerflo-user-sync' && typeof pkg.version === 'string') return pkg.version
    } catch { /* try the next place: src/ when run from source, dist/src/ when built */ }
  }
  return 'unknown'
}

export const VERSION = read()
