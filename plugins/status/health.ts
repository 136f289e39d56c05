/**
 * Liveness and readiness for an orchestrator. Neither shows details: /healthz says the process
 * answers; /readyz says Redis answers a PING, where this process runs workers they run, and no
 * configured credential is known bad (plugins/core/credentials.ts): such an instance would accept
 * events it cannot apply. The reason names the credential only; its fix is in /status.
 */
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'

const Health = Type.Object({ status: Type.String() })

export default fp(async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  r.get('/healthz', { schema: { response: { 200: Health } } }, async () => ({ status: 'ok' }))
  r.get('/readyz', { schema: { response: { 200: Health, 503: Health } } }, async (_request, reply) => {
    const redisOk = await app.redis.ping().then(() => true, () => false)
    const worker = app.hasDecorator('syncWorker') ? app.syncWorker : undefined
    const workersOk = worker === undefined || worker.isRunning()
    if (!redisOk) return await reply.code(503).send({ status: 'redis unreachable' })
    if (!workersOk) return await reply.code(503).send({ status: 'workers not running' })
    const bad = (app.hasDecorator('credentials') ? await app.credentials.current().catch(() => []) : []).filter((c) => c.blocking)
    if (bad.length > 0) return await reply.code(503).send({ status: `a credential does not work: ${bad.map((c) => c.name).join(', ')} (GET /status says how to fix it)` })
    return { status: 'ready' }
  })
}, { name: 'health', dependencies: ['redis'] })
