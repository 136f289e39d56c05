/**
 * Ingest measurement shared by the ingest, queue-scale and durability benches: the service's
 * receiver in its own process (SERVICE_ROLE=api, as it is deployed beside worker processes), the
 * baseline in another, and autocannon in the bench process, all on the same cores as Redis.
 */
import { freshDelivery, graphNotifications } from './deliveries.js'
import { runLoad, type LoadResult } from './load.js'
import { serviceEnv, type Secrets } from './setup.js'
import { spawnService, type ServiceProcess } from './service.js'
import { median } from './stats.js'
import { cpuMicros } from './procs.js'

export interface IngestTarget {
  name: string
  url: string
  headers: Record<string, string>
  /** The process that answers (for its CPU time per request). */
  pid?: number
}

export type Provider = 'okta' | 'graph'

/** What a Graph-enabled receiver needs; Graph's APIs are never called by an api-role process. */
export const GRAPH_TENANT = '0b5f7c1e-3d2a-4f6b-9c8d-1e2f3a4b5c6d'

/** Peers an api-role process never calls: it only receives and enqueues. */
const UNUSED = 'http://127.0.0.1:9'

export async function startReceiver (redisUrl: string, s: Secrets, extra: Record<string, string> = {}, nodeArgs: string[] = []): Promise<{ proc: ServiceProcess, target: IngestTarget }> {
  const proc = await spawnService({ env: serviceEnv({ redisUrl, enerfloUrl: UNUSED, oktaUrl: UNUSED, s, role: 'api', extra }), nodeArgs })
  return { proc, target: { name: 'service', url: `${proc.baseUrl}/webhooks/okta`, headers: { authorization: s.webhook }, ...pidOf(proc) } }
}

export async function startBaseline (redisUrl: string): Promise<{ proc: ServiceProcess, target: IngestTarget }> {
  const proc = await spawnService({ script: 'bench/lib/baseline-server.ts', env: { REDIS_URL: redisUrl } })
  return { proc, target: { name: 'baseline', url: `${proc.baseUrl}/ingest`, headers: {}, ...pidOf(proc) } }
}

export function graphEnv (clientState: string): Record<string, string> {
  return {
    GRAPH_TENANT_ID: GRAPH_TENANT,
    GRAPH_CLIENT_ID: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
    GRAPH_CLIENT_SECRET: clientState.split('').reverse().join(''),
    GRAPH_CLIENT_STATE: clientState,
    GRAPH_API_URL: UNUSED,
    GRAPH_LOGIN_URL: UNUSED
  }
}

export async function startGraphReceiver (redisUrl: string, s: Secrets): Promise<{ proc: ServiceProcess, target: IngestTarget }> {
  const proc = await spawnService({ env: serviceEnv({ redisUrl, enerfloUrl: UNUSED, oktaUrl: UNUSED, s, role: 'api', extra: graphEnv(s.webhook) }) })
  return { proc, target: { name: 'service', url: `${proc.baseUrl}/webhooks/graph`, headers: {}, ...pidOf(proc) } }
}

const pidOf = (proc: ServiceProcess): { pid?: number } => proc.child.pid === undefined ? {} : { pid: proc.child.pid }

/** A load run, and the target's CPU per answered request in µs (undefined without a pid). */
export async function measure (target: IngestTarget, events: number, connections: number, durationS: number, provider: Provider = 'okta', clientState = ''): Promise<LoadResult & { cpuPerRequestUs?: number }> {
  const makeBody = provider === 'okta' ? () => freshDelivery(events) : () => graphNotifications(events, clientState, GRAPH_TENANT)
  const before = await cpuMicros(target.pid)
  const r = await runLoad({ url: target.url, connections, durationS, headers: target.headers, makeBody })
  const after = await cpuMicros(target.pid)
  return before === undefined || after === undefined || r.total === 0 ? r : { ...r, cpuPerRequestUs: (after - before) / r.total }
}

/** Medians of each figure over runs; errors are summed (one error anywhere is an error). */
export function summarize (runs: Array<LoadResult & { cpuPerRequestUs?: number }>): LoadResult & { cpuPerRequestUs?: number } {
  const cpu = runs.flatMap((r) => r.cpuPerRequestUs === undefined ? [] : [r.cpuPerRequestUs])
  return {
    ...(cpu.length > 0 && { cpuPerRequestUs: median(cpu) }),
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    max: median(runs.map((r) => r.max)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    total: runs.reduce((n, r) => n + r.total, 0)
  }
}
