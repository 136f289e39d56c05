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

/**
 * swagger-ui-bundle.js inserts one <style> element of its own at start; staticCSP forbids inline
 * style, so the browser blocked it and reported a CSP violation on every visit. Allow exactly that
 * element by its hash (not 'unsafe-inline'). The browser test of /docs fails if an upgrade of
 * @fastify/swagger-ui changes it: the console then names the new hash.
 */
const SWAGGER_UI_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"
const allowSwaggerStyle = (header: string): string => header.replace(/style-src ([^;]*);/, (_m, v: string) => `style-src ${v.trim()} ${SWAGGER_UI_STYLE};`)

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
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: allowSwaggerStyle })
}, { name: 'docs' })
