/**
 * The peers a whole-process test of the cluster suite needs: the Enerflo sandbox and either the
 * local Okta or the local Graph, on loopback, and the service environment that points at them.
 * The Redis part of the environment (REDIS_CLUSTER_NODES or REDIS_SENTINELS) is the test's.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { delivery, secret } from '../helpers/harness.js'
import { GROUPS, MAPPING, enerfloUsers, oktaUsers } from '../helpers/fixtures.js'
import { GRAPH_GROUPS, G, graphUsers } from '../helpers/graph-fixtures.js'
import { GRAPH_MAPPING, changeItem } from '../helpers/graph-harness.js'
import { createLocalGraph } from '../helpers/local-graph/graph.js'
import { createEnerfloSandbox, type EnerfloSandbox, type SandboxUser } from '../../src/simulators/enerflo/sandbox.js'
import { createOktaDirectory, type DirectoryUser } from '../../src/simulators/okta/directory.js'

type Teardown = { teardown: (fn: () => unknown) => void }

export interface Peers {
  enerflo: EnerfloSandbox
  env: Record<string, string>
  /** POSTs one delivery naming `userId` to the service at baseUrl; its status (0: no answer). */
  send: (baseUrl: string, userId: string) => Promise<number>
}

export const randomPrefix = (name: string, hashTag: boolean): string => {
  const p = `${name}-${randomBytes(3).toString('hex')}`
  return hashTag ? `{${p}}` : p
}

function mappingFile (t: Teardown, mapping: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'efs-cluster-peers-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const path = join(dir, 'mapping.json')
  writeFileSync(path, JSON.stringify(mapping))
  return path
}

async function post (url: string, headers: Record<string, string>, body: unknown): Promise<number> {
  try {
    const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), headersTimeout: 10_000, bodyTimeout: 10_000 })
    await res.body.dump()
    return res.statusCode
  } catch {
    return 0
  }
}

/** Room enough that neither the sandbox nor the service's budget slows a test down. */
const FAST = { ENERFLO_RATE_LIMIT_MAX: '100000', ENERFLO_RATE_LIMIT_WINDOW_MS: '60000', JOB_BACKOFF_MS: '200', WORKER_LOCK_MS: '5000', BRAKE_MIN_USERS: '1000000' }

export async function oktaPeers (t: Teardown, o: { okta?: DirectoryUser[], enerflo?: SandboxUser[] } = {}): Promise<Peers> {
  const apiKey = secret()
  const oktaToken = secret()
  const webhookSecret = secret()
  const enerflo = createEnerfloSandbox({ apiKey, users: o.enerflo ?? enerfloUsers(), offices: [101, 102, 103], rateLimit: { max: 100_000, windowMs: 60_000 } })
  const directory = createOktaDirectory({ token: oktaToken, users: o.okta ?? oktaUsers(), groups: GROUPS, rateLimit: 100_000 })
  t.teardown(async () => { await Promise.all([enerflo.close(), directory.close()]) })
  const env = {
    ...FAST,
    ENERFLO_BASE_URL: await enerflo.listen(0, '127.0.0.1'),
    ENERFLO_API_KEY: apiKey,
    OKTA_ORG_URL: await directory.listen(0, '127.0.0.1'),
    OKTA_API_TOKEN: oktaToken,
    OKTA_WEBHOOK_SECRET: webhookSecret,
    MAPPING_FILE: mappingFile(t, MAPPING),
    OPS_TOKEN: secret()
  }
  return {
    enerflo,
    env,
    send: async (baseUrl, userId) => await post(`${baseUrl}/webhooks/okta`, { authorization: webhookSecret }, delivery([{ type: 'user.account.update_profile', userId }]))
  }
}

export { G }

export async function graphPeers (t: Teardown): Promise<Peers> {
  const apiKey = secret()
  const tenantId = randomUUID()
  const clientId = randomUUID()
  const clientSecret = secret()
  const clientState = secret()
  const enerflo = createEnerfloSandbox({ apiKey, users: enerfloUsers(), offices: [101, 102, 103], rateLimit: { max: 100_000, windowMs: 60_000 } })
  const graph = createLocalGraph({ tenantId, clientId, clientSecret, users: graphUsers(), groups: GRAPH_GROUPS })
  t.teardown(async () => { await Promise.all([enerflo.close(), graph.close()]) })
  const graphUrl = await graph.listen(0, '127.0.0.1')
  const env = {
    ...FAST,
    ENERFLO_BASE_URL: await enerflo.listen(0, '127.0.0.1'),
    ENERFLO_API_KEY: apiKey,
    GRAPH_TENANT_ID: tenantId,
    GRAPH_CLIENT_ID: clientId,
    GRAPH_CLIENT_SECRET: clientSecret,
    GRAPH_CLIENT_STATE: clientState,
    GRAPH_API_URL: graphUrl,
    GRAPH_LOGIN_URL: graphUrl,
    GRAPH_TIMEOUT_MS: '5000',
    MAPPING_FILE: mappingFile(t, GRAPH_MAPPING),
    OPS_TOKEN: secret()
  }
  return {
    enerflo,
    env,
    send: async (baseUrl, userId) => await post(`${baseUrl}/webhooks/graph`, {}, { value: [changeItem({ tenantId, clientState }, userId)] })
  }
}
