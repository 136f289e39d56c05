/**
 * What several benches share: generated secrets, a mapping file on disk, and the environment for
 * a service process pointed at a private Redis and local peers.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAPPING } from './okta-peer.js'

export const secret = (): string => randomBytes(24).toString('base64url')

let mappingPath: string | undefined
export function mappingFile (): string {
  if (mappingPath === undefined) {
    mappingPath = join(mkdtempSync(join(tmpdir(), 'efs-bench-')), 'mapping.json')
    writeFileSync(mappingPath, JSON.stringify(MAPPING))
  }
  return mappingPath
}

export interface Secrets { enerfloKey: string, oktaToken: string, webhook: string }
export const secrets = (): Secrets => ({ enerfloKey: secret(), oktaToken: secret(), webhook: secret() })

/** The env of a live-mode service: Okta on, Enerflo key set, so no sandbox starts inside it. */
export function serviceEnv (o: { redisUrl: string, enerfloUrl: string, oktaUrl: string, s: Secrets, role: 'all' | 'api' | 'worker', extra?: Record<string, string> }): Record<string, string> {
  return {
    REDIS_URL: o.redisUrl,
    QUEUE_PREFIX: 'bench',
    SERVICE_ROLE: o.role,
    ENERFLO_BASE_URL: o.enerfloUrl,
    ENERFLO_API_KEY: o.s.enerfloKey,
    OKTA_ORG_URL: o.oktaUrl,
    OKTA_API_TOKEN: o.s.oktaToken,
    OKTA_WEBHOOK_SECRET: o.s.webhook,
    MAPPING_FILE: mappingFile(),
    ...o.extra
  }
}
