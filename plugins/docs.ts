/**
 * The OpenAPI document of every route, built from the routes' own schemas, at /docs/json and as
 * a browsable page at /docs (served from the package: no external assets). Registered before any
 * route so that it sees them all.
 */
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

export default fp(async (app, opts: { version: string }) => {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'enerflo-user-sync',
        description: 'Keeps Enerflo users in step with Okta and Microsoft Entra ID. Operator routes need `Authorization: Bearer <OPS_TOKEN>`.',
        version: opts.version
      },
      components: { securitySchemes: { ops: { type: 'http', scheme: 'bearer' } } }
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
}, { name: 'docs' })
