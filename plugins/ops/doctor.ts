/**
 * POST /ops/doctor: runs every credential check now (plugins/core/credentials.ts) and answers each
 * result with its fix, for the `doctor` CLI command. After fixing a credential and restarting,
 * this is also how the held events are woken without waiting for the next scheduled check.
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorReply } from '../core/error-handler.js'

export const CredentialCheckReply = Type.Object({
  name: Type.String({ description: 'okta, graph or enerflo' }),
  ok: Type.Boolean(),
  checkedAt: Type.String(),
  code: Type.Optional(Type.String({ description: 'the error code the check got (see the runbook)' })),
  status: Type.Optional(Type.Integer({ description: 'the HTTP status it got; 0: no answer' })),
  blocking: Type.Boolean({ description: 'events wait (not dead-lettered) until this is fixed' }),
  fix: Type.String()
})

export default fp(async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  r.post('/ops/doctor', {
    onRequest: app.opsAuth,
    schema: {
      description: 'Check every configured credential now; each result says what to do.',
      response: { 200: Type.Object({ ok: Type.Boolean(), checks: Type.Array(CredentialCheckReply) }), '4xx': ErrorReply, '5xx': ErrorReply }
    }
  }, async () => {
    const checks = await app.credentials.check()
    return { ok: checks.every((c) => c.ok), checks }
  })
}, { name: 'ops-doctor', dependencies: ['credentials', 'ops-auth', 'error-handler'] })
