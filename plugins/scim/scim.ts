/**
 * The SCIM 2.0 server under /scim/v2 (issue 17), on when SCIM_TOKEN is set: Users, Groups and
 * discovery in their own Fastify context, so the SCIM token, parser and error schema apply to
 * these routes only. README "Okta: a SCIM app" and "Entra: automatic provisioning" connect it.
 */
import fp from 'fastify-plugin'
import { installScimContext, SCIM_BASE } from './context.js'
import { userRoutes } from './users.js'
import { groupRoutes } from './groups.js'
import { discoveryRoutes } from './discovery.js'

export default fp(async (parent, opts: { token: string }) => {
  await parent.register(async (app) => {
    installScimContext(app, opts.token)
    discoveryRoutes(app)
    userRoutes(app)
    groupRoutes(app)
  }, { prefix: SCIM_BASE })
}, { name: 'scim', dependencies: ['scim-services', 'auth-failures', 'sync-services'] })
