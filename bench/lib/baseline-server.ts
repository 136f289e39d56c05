/**
 * The ingest baseline: a minimal Fastify route that does one queue.add of the body to the same
 * Redis, with nothing else (no auth, no schema, no logging, no accounting). Run as its own
 * process, like the service: `node --import tsx bench/lib/baseline-server.ts` with PORT and
 * REDIS_URL.
 */
import Fastify from 'fastify'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'

const connection = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1, enableOfflineQueue: false })
connection.on('error', () => {})
const queue = new Queue('baseline', { connection, prefix: 'baseline' })
const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })

app.get('/readyz', async () => ({ status: 'ready' }))
app.post('/ingest', async (request, reply) => {
  await queue.add('delivery', request.body)
  return await reply.code(200).send('')
})

const close = async (): Promise<void> => {
  await app.close()
  await queue.close()
  connection.disconnect()
  process.exit(0)
}
process.once('SIGTERM', () => { void close() })
await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' })
