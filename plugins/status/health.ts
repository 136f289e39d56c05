/**
 * Liveness and readiness for an orchestrator. Neither shows details: /healthz says the process
 * answers; /readyz says Redis answers a PING and, where this process runs workers, they run.
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
    if (redisOk && workersOk) return { status: 'ready' }
    return await reply.code(503).send({ status: redisOk ? 'workers not running' : 'redis unreachable' })
  })
}, { name: 'health', dependencies: ['redis'] })
