/**
 * SCIM discovery (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas, so a client (and
 * Entra's provisioning, which reads /Schemas) learns what this server supports before it sends.
 */
import type { FastifyInstance } from 'fastify'
import { resourceTypeResources, schemaResources, serviceProviderConfig } from '../../src/scim/schema.js'
import { baseUrl, notFound } from './context.js'
import { listResponse } from './render.js'

interface IdParams { id: string }

export function discoveryRoutes (app: FastifyInstance): void {
  app.get('/ServiceProviderConfig', async (request) => serviceProviderConfig(baseUrl(request)))
  app.get('/ResourceTypes', async (request) => {
    const all = resourceTypeResources(baseUrl(request))
    return listResponse(all, all.length, 1)
  })
  app.get<{ Params: IdParams }>('/ResourceTypes/:id', async (request) => {
    const found = resourceTypeResources(baseUrl(request)).find((r) => r['id'] === request.params.id)
    if (found === undefined) throw notFound(`ResourceType ${JSON.stringify(request.params.id.slice(0, 80))}`)
    return found
  })
  app.get('/Schemas', async (request) => {
    const all = schemaResources(baseUrl(request))
    return listResponse(all, all.length, 1)
  })
  app.get<{ Params: IdParams }>('/Schemas/:id', async (request) => {
    const found = schemaResources(baseUrl(request)).find((r) => r['id'] === request.params.id)
    if (found === undefined) throw notFound(`Schema ${JSON.stringify(request.params.id.slice(0, 200))}`)
    return found
  })
}
