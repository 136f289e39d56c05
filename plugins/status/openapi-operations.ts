/**
 * What the OpenAPI document says of each operation besides its schemas: a summary, a stable
 * operationId and who may call it. Operator routes take the bearer OPS_TOKEN; the Okta receiver
 * its header secret; Graph's receivers and the probes are open by design (Graph proves itself by
 * each item's clientState, probes carry no data), which the document states with `security: []`.
 */
const SUMMARIES: Record<string, string> = {
  'GET /webhooks/okta': 'Okta Event Hook verification: echoes the challenge',
  'POST /webhooks/okta': 'Okta Event Hook delivery: queues a sync for each user it names',
  'POST /webhooks/graph': 'Graph change notifications (and the validation handshake)',
  'POST /webhooks/graph/lifecycle': 'Graph lifecycle notifications (and the validation handshake)',
  'GET /healthz': 'Liveness probe',
  'GET /readyz': 'Readiness probe: Redis reachable and the service not closing',
  'GET /status': 'Status of the service, its sources, queue and Enerflo budget',
  'GET /ops': 'The status page (HTML)',
  'GET /ops/failed': 'Dead letters: jobs that failed for good',
  'POST /ops/failed/retry': 'Queue dead letters again (fresh jobs that read the provider anew)',
  'POST /ops/failed/discard': 'Remove dead letters',
  'GET /ops/unresolved': 'Users with no Enerflo user yet, and why',
  'PUT /ops/links/{source}/{idpUserId}': 'Link a provider user to an Enerflo user and sync it',
  'DELETE /ops/links/{source}/{idpUserId}': 'Remove an identity link',
  'POST /ops/links/import': 'Import identity links from CSV or JSON (with a dry run)',
  'GET /ops/links': 'Every identity link, as JSON (paged) or CSV in the import format',
  'POST /ops/reconcile': 'Start a reconciliation run for a source (with a dry run)',
  'GET /ops/reconcile': 'Recent reconciliation runs, newest first',
  'GET /ops/reconcile/{run}': 'One reconciliation run: state, progress and counts by action',
  'GET /ops/reconcile/{run}/report': 'A run\'s report, one line per user, as JSON or CSV',
  'GET /ops/users/{source}/{idpUserId}': 'A user\'s link, state and audit trail',
  'GET /ops/preview/{source}/{idpUserId}': 'What a sync of this user would do now, without doing it',
  'POST /ops/users/{source}/{idpUserId}/sync': 'Sync this user now',
  'GET /ops/blocked': 'Role removals Enerflo refuses while leads are attributed to the user, with Enerflo\'s words and the fix',
  'POST /ops/blocked/retry': 'Try blocked role removals again now (one user or all)',
  'GET /ops/holds': 'What the brake holds: each hold\'s reason, users and pending destructive changes',
  'POST /ops/holds/{id}/release': 'Release a hold: apply its users\' destructive changes as the provider says now',
  'POST /ops/holds/{id}/discard': 'Discard a hold: apply nothing of it, noted in each user\'s audit trail'
}

const OPEN = new Set(['/healthz', '/readyz', '/webhooks/graph', '/webhooks/graph/lifecycle', '/ops'])

export interface OperationDoc {
  summary: string
  operationId: string
  security: Array<Record<string, string[]>>
}

export function describeOperation (method: string, url: string): OperationDoc {
  const key = `${method.toUpperCase()} ${url}`
  const operationId = key.toLowerCase().replace(/[{}]/g, '').split(/[^a-z0-9]+/).filter(Boolean)
    .map((w, i) => i === 0 ? w : w[0]?.toUpperCase() + w.slice(1)).join('')
  let security: OperationDoc['security'] = [{ ops: [] }]
  if (OPEN.has(url)) security = []
  else if (url.startsWith('/webhooks/okta')) security = [{ oktaSecret: [] }]
  return { summary: SUMMARIES[key] ?? key, operationId, security }
}
