/**
 * The OpenAPI document of every route, built from the routes' own schemas, at /docs/json and as
 * a browsable page at /docs (served from the package: no external assets). Registered before any
 * route so that it sees them all. Each operation gets its security (so Swagger UI and generated
 * clients send the token), an operationId and a summary from openapi-operations.ts.
 */
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { describeOperation } from './openapi-operations.js'

export default fp(async (app, opts: { version: string, oktaHeader: string }) => {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'enerflo-user-sync',
        description: 'Keeps Enerflo users in step with Okta and Microsoft Entra ID. Operator routes need `Authorization: Bearer <OPS_TOKEN>`; the Okta receiver needs the Event Hook secret in its header; Graph authenticates each notification by its clientState.',
        version: opts.version,
        license: { name: 'UNLICENSED (private)', url: 'https://spdx.org/licenses/' }
      },
      // Relative: the document is served by the service it describes, wherever that is.
      servers: [{ url: '/', description: 'this service' }],
      components: {
        securitySchemes: {
          ops: { type: 'http', scheme: 'bearer', description: 'OPS_TOKEN' },
          oktaSecret: { type: 'apiKey', in: 'header', name: opts.oktaHeader, description: 'OKTA_WEBHOOK_SECRET (or the previous one during a rotation)' }
        }
      }
    },
    transform: ({ schema, url, route }) => {
      const method = (Array.isArray(route.method) ? route.method[0] : route.method) ?? 'GET'
      const described = describeOperation(method, url)
      return { schema: { ...schema, ...described } as typeof schema, url }
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
}, { name: 'docs' })
