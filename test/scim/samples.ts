/**
 * The real SCIM requests and responses kept beside these tests (copied from the shared samples,
 * see /work/shared/samples/SOURCES.md), read from disk by name.
 */
import { readFileSync, readdirSync } from 'node:fs'

const DIR = new URL('./samples/', import.meta.url)

export function sampleNames (): string[] {
  return readdirSync(DIR).filter((n) => n.startsWith('scim-')).sort()
}

export function sampleText (name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8')
}

export function sample (name: string): unknown {
  return JSON.parse(sampleText(name)) as unknown
}
