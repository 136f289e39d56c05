/**
 * buildApp(config): the whole service as a Fastify plugin tree. The process (src/server.ts)
 * decides what to run; tests build this directly and drive it with inject() or real HTTP.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import type { Mapping } from './mapping/mapping-file.js'
import { lazyChildLogger, loggerOptions } from './log.js'
import redis from '../plugins/core/redis.js'
import errorHandler from '../plugins/core/error-handler.js'
import securityHeaders from '../plugins/core/security-headers.js'
import syncServices from '../plugins/core/sync-services.js'
import health from '../plugins/status/health.js'
import status from '../plugins/status/status.js'
import oktaWebhook from '../plugins/webhooks/okta.js'
import workers from '../plugins/core/workers.js'
import providers from '../plugins/core/providers.js'
import graphServices from '../plugins/core/graph-services.js'
import graphWebhook from '../plugins/webhooks/graph.js'
import graphGroupQueue from '../plugins/core/graph-group-queue.js'
import graphWorkers from '../plugins/core/graph-workers.js'
import opsAuth from '../plugins/ops/auth.js'
import authFailures from '../plugins/core/auth-failures.js'
import opsLinks from '../plugins/ops/links.js'
import opsLinksImport from '../plugins/ops/links-import.js'
import metrics from '../plugins/status/metrics.js'
import docs from '../plugins/status/docs.js'
import { VERSION } from './version.js'
import { validatorCompiler } from './validation.js'
import { clientErrorHandler, frameworkErrors } from './client-errors.js'
import opsFailed from '../plugins/ops/failed.js'
import opsUsers from '../plugins/ops/users.js'
import reconcile from '../plugins/core/reconcile-services.js'
import opsReconcile from '../plugins/ops/reconcile.js'
import opsHolds from '../plugins/ops/holds.js'
import credentials from '../plugins/core/credentials.js'
import opsDoctor from '../plugins/ops/doctor.js'
import blockedRemovals from '../plugins/core/blocked-removals.js'
import opsBlocked from '../plugins/ops/blocked.js'
import followUps from '../plugins/core/follow-ups.js'
import opsFollowUps from '../plugins/ops/follow-ups.js'
import scimServices from '../plugins/core/scim-services.js'
import scim from '../plugins/scim/scim.js'

export interface BuildOptions {
  config: Config
  mapping: Mapping
  /** Defaults to pino at LOG_LEVEL; tests pass false or a stream. */
  logger?: boolean | Record<string, unknown>
}

export async function buildApp (opts: BuildOptions): Promise<FastifyInstance> {
  const { config } = opts
  const app = Fastify({
    logger: opts.logger ?? loggerOptions(config.LOG_LEVEL),
    // Providers retry on their own; an HTTP keep-alive longer than theirs keeps sockets warm.
    keepAliveTimeout: 65_000,
    // A client must send its whole request (headers and body) within REQUEST_TIMEOUT_MS, or it
    // gets a 408 and the connection is closed: a slow body cannot hold a socket for as long as it
    // likes. Idle sockets close after the keep-alive window; the check runs every second so the
    // timeout is kept to the second rather than Node's default 30 s granularity.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    connectionTimeout: 70_000,
    http: { headersTimeout: Math.min(10_000, config.REQUEST_TIMEOUT_MS), connectionsCheckingInterval: 1000 },
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // One line per request costs more than the request on the webhook path; receivers log one
    // line per accounting batch of deliveries (per request at debug), the error handler one per
    // rejection, and that is the access log.
    logController: new LogController({ disableRequestLogging: true }),
    // A request's logger is built when it first writes a line (src/log.ts lazyChildLogger).
    childLoggerFactory: lazyChildLogger,
    clientErrorHandler: (err, socket) => {
      // Only the parser's code: its error carries the raw request, secrets and all.
      app.log.debug({ code: (err as Error & { code?: string }).code }, 'client error')
      clientErrorHandler(err, socket)
    },
    frameworkErrors
  })
  app.setValidatorCompiler(validatorCompiler())
  // Every body this service accepts is JSON: a text/plain body is a 415, not a string that fails
  // the schema later.
  app.removeContentTypeParser('text/plain')
  await app.register(errorHandler)
  await app.register(securityHeaders)
  await app.register(authFailures)
  await app.register(docs, { version: VERSION, oktaHeader: config.OKTA_WEBHOOK_HEADER })
  await app.register(redis, { topology: config.redis })
  await app.register(syncServices, { config, mapping: opts.mapping })
  await app.register(blockedRemovals)
  await app.register(followUps)
  await app.register(providers)
  if (config.graph !== undefined) await app.register(graphServices, { config: config.graph })
  if (config.scim !== undefined) await app.register(scimServices)
  if (config.graph !== undefined && config.SERVICE_ROLE !== 'worker') await app.register(graphGroupQueue)
  await app.register(credentials)
  await app.register(reconcile)
  await app.register(metrics)
  await app.register(opsAuth, { token: config.OPS_TOKEN })
  await app.register(health)
  await app.register(status)
  await app.register(import('../plugins/status/page.js'))
  if (config.SERVICE_ROLE !== 'worker') {
    if (config.okta !== undefined) await app.register(oktaWebhook)
    if (config.graph !== undefined) await app.register(graphWebhook)
    if (config.scim !== undefined) await app.register(scim, { token: config.scim.token })
    await app.register(opsLinks)
    await app.register(opsLinksImport)
    await app.register(opsFailed)
    await app.register(opsUsers)
    await app.register(opsReconcile)
    await app.register(opsHolds)
    await app.register(opsDoctor)
    await app.register(opsBlocked)
    await app.register(opsFollowUps)
  }
  if (config.SERVICE_ROLE !== 'api') await app.register(workers)
  if (config.SERVICE_ROLE !== 'api' && config.graph !== undefined) await app.register(graphWorkers)
  return app
}
