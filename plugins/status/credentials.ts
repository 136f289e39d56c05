/**
 * The credential checks' part of GET /status (plugins/core/credentials.ts): each configured
 * credential's last result, and a reason with its fix for each one that fails, so a wrong token is
 * on the first screen instead of in the first dead letter.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { CredentialCheckReply } from '../ops/doctor.js'
import type { CredentialCheck } from '../../src/sync/credentials.js'

export const CredentialsSection = Type.Array(CredentialCheckReply, { description: 'the last check of each configured credential (POST /ops/doctor checks now)' })

export async function credentialsSection (app: FastifyInstance, reasons: string[]): Promise<CredentialCheck[]> {
  if (!app.hasDecorator('credentials')) return []
  const checks = await app.credentials.current()
  for (const c of checks.filter((x) => !x.ok)) {
    const code = c.code === undefined ? '' : ` (${c.code}${c.status === undefined ? '' : ` ${c.status}`})`
    reasons.push(`the ${c.name} credential check failed${code}${c.blocking ? ': events wait until it is fixed' : ''}; fix: ${c.fix}`)
  }
  return checks
}
