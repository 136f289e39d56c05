/**
 * A whole service with Microsoft Graph on: the usual harness (Redis, Enerflo sandbox, Okta) plus a
 * local Graph server whose validation handshake is answered by the app under test. Credentials and
 * the client state are generated per test.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { createLocalGraph, type LocalGraph, type LocalGroup, type LocalUser } from './local-graph/graph.js'
import { secret, startHarness, type Harness, type HarnessOptions } from './harness.js'
import { MAPPING } from './fixtures.js'
import { GRAPH_GROUPS, graphUsers } from './graph-fixtures.js'

export const GRAPH_MAPPING = { ...MAPPING, identity: { ...MAPPING.identity, graph: { enerfloUserIdAttribute: 'employeeId' } } }

export interface GraphHarness extends Harness {
  graph: LocalGraph
  tenantId: string
  clientState: string
  /** POSTs a raw JSON body to a Graph route of `app` (default h.app). */
  post: (body: string | object, opts?: { url?: string, app?: FastifyInstance }) => Promise<{ statusCode: number, body: string }>
}

export interface GraphHarnessOptions extends HarnessOptions {
  graphUsers?: LocalUser[]
  graphGroups?: LocalGroup[]
  pageSize?: number
  /** Keep no subscription (PUBLIC_URL unset). */
  noPublicUrl?: boolean
}

export async function startGraphHarness (t: { teardown: (fn: () => unknown) => void }, opts: GraphHarnessOptions = {}): Promise<GraphHarness> {
  const tenantId = randomUUID()
  const clientId = randomUUID()
  const clientSecret = secret()
  const clientState = secret()
  let resolveApp: (app: FastifyInstance) => void = () => {}
  const appReady = new Promise<FastifyInstance>((resolve) => { resolveApp = resolve })
  const graph = createLocalGraph({
    tenantId, clientId, clientSecret,
    users: opts.graphUsers ?? graphUsers(),
    groups: opts.graphGroups ?? GRAPH_GROUPS,
    ...(opts.pageSize !== undefined && { pageSize: opts.pageSize }),
    // Graph's validation request, answered by the app under test (as it would be over HTTPS).
    validate: async (url) => {
      const app = await appReady
      const u = new URL(url)
      const res = await app.inject({ method: 'POST', url: `${u.pathname}${u.search}`, headers: { 'content-type': 'text/plain; charset=utf-8' }, payload: '' })
      return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: res.body }
    }
  })
  const graphUrl = await graph.listen(0)
  const h = await startHarness(t, {
    mapping: GRAPH_MAPPING,
    ...opts,
    env: {
      GRAPH_TENANT_ID: tenantId,
      GRAPH_CLIENT_ID: clientId,
      GRAPH_CLIENT_SECRET: clientSecret,
      GRAPH_CLIENT_STATE: clientState,
      GRAPH_API_URL: graphUrl,
      GRAPH_LOGIN_URL: graphUrl,
      GRAPH_TIMEOUT_MS: '5000',
      ...(opts.noPublicUrl !== true && { PUBLIC_URL: 'https://sync.example.com' }),
      ...opts.env
    }
  })
  resolveApp(h.app)
  // Registered after the harness's teardown, so the apps close before Graph goes away.
  t.teardown(async () => { await graph.close() })
  const post: GraphHarness['post'] = async (body, o = {}) => {
    const res = await (o.app ?? h.app).inject({
      method: 'POST', url: o.url ?? '/webhooks/graph', headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: typeof body === 'string' ? body : JSON.stringify(body)
    })
    return { statusCode: res.statusCode, body: res.body }
  }
  return { ...h, graph, tenantId, clientState, post }
}

/** One change notification item, shaped as Graph sends it for `users`. */
export function changeItem (h: { tenantId: string, clientState: string }, userId: string, o: { changeType?: string, clientState?: string | null, subscriptionId?: string } = {}): Record<string, unknown> {
  return {
    subscriptionId: o.subscriptionId ?? randomUUID(),
    subscriptionExpirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
    changeType: o.changeType ?? 'updated',
    resource: `Users/${userId}`,
    resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${userId}`, id: userId, organizationId: h.tenantId },
    clientState: o.clientState === undefined ? h.clientState : o.clientState,
    tenantId: h.tenantId
  }
}

/** One lifecycle notification item. */
export function lifecycleItem (h: { tenantId: string, clientState: string }, subscriptionId: string, lifecycleEvent: string, clientState?: string): Record<string, unknown> {
  return {
    subscriptionId,
    subscriptionExpirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
    tenantId: h.tenantId,
    clientState: clientState ?? h.clientState,
    lifecycleEvent
  }
}
