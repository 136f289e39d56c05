/**
 * The `okta` pass: list Okta's users 200 a page and the members of the mapped groups (one listing
 * per group, not one groups call per user), map each user as the worker would, and queue a sync
 * only for users whose desired state differs from what Enerflo holds. Incremental passes ask for
 * `lastUpdated gt` the watermark, for DEPROVISIONED users separately (Okta's filter, and its
 * unfiltered list, may leave them out) and for users whose mapped groups changed since the last
 * pass (a membership change does not move lastUpdated). A pass never writes to Enerflo itself.
 * Its pace is the Okta client's: every call waits for the limiter the workers share (src/okta/limiter.ts).
 */
import { isObject } from '../http/body.js'
import { isUserId } from '../sync/user-id.js'
import { mapOktaUser } from '../mapping/okta.js'
import type { Mapping } from '../mapping/mapping-file.js'
import type { OktaGroup, OktaUser } from '../mapping/types.js'
import type { OktaClient, OktaPage } from '../okta/client.js'
import { judge, type JudgeContext } from './judge.js'
import { createSink, type Enqueue } from './sink.js'
import { membershipChanges } from './memberships.js'
import type { Run, Runs } from './runs.js'
import type { Watermarks } from './watermarks.js'

export interface OktaPassDeps {
  okta: Pick<OktaClient, 'listUsers' | 'findGroups' | 'listGroupMembers' | 'getUser'>
  mapping: Mapping
  plan: JudgeContext
  runs: Runs
  watermarks: Watermarks
  enqueue: Enqueue
}

/** Okta's clock lags the data it serves by up to a second (Date is whole seconds): read back a minute. */
const OVERLAP_MS = 60_000

/** Each user's mapped groups, from one member listing per mapped group. */
async function mappedGroups (deps: OktaPassDeps): Promise<Map<string, OktaGroup[]>> {
  const names = [...new Set([...deps.mapping.roles.map((r) => r.group), ...deps.mapping.offices.map((o) => o.group)])]
  const byUser = new Map<string, OktaGroup[]>()
  for (const name of names) {
    for (const group of await deps.okta.findGroups(name)) {
      const ids = await deps.okta.listGroupMembers(group.id) ?? []
      for (const id of ids) byUser.set(id, [...(byUser.get(id) ?? []), { id: group.id, profile: { name } }])
    }
  }
  return byUser
}

/** Why a listed row cannot be read as an Okta user, or undefined when it can. */
function rowProblem (row: unknown): string | undefined {
  if (!isObject(row)) return 'not an object'
  if (!isUserId(row['id'])) return 'no usable id'
  if (typeof row['status'] !== 'string') return 'no status'
  if (!isObject(row['profile'])) return 'no profile'
  return undefined
}

export async function runOktaPass (deps: OktaPassDeps, run: Run): Promise<void> {
  const mark = run.mode === 'incremental' ? await deps.watermarks.get('okta') : undefined
  const before = await deps.watermarks.members('okta')
  const sink = createSink(deps.runs, run, deps.enqueue)
  const groups = await mappedGroups(deps)
  let oktaNow: number | undefined

  const consider = async (user: OktaUser): Promise<void> => {
    if (sink.has('okta', user.id)) return
    const fetched = { gone: false, result: mapOktaUser(user, groups.get(user.id) ?? [], deps.mapping) }
    const { line, queue } = await judge(deps.plan, 'okta', user.id, fetched)
    await sink.add(line, queue)
  }
  const onPage = async (page: OktaPage): Promise<void> => {
    const date = Date.parse(page.headers['date'] ?? '')
    oktaNow ??= Number.isNaN(date) ? Date.now() : date
    for (const row of page.rows) {
      const problem = rowProblem(row)
      if (problem === undefined) { await consider(row as unknown as OktaUser); continue }
      const id = isObject(row) && typeof row['id'] === 'string' ? row['id'].slice(0, 64) : '(no id)'
      await sink.add({ source: 'okta', id, enerfloId: null, action: 'unresolved', fields: [], reason: `row skipped: Okta listed a user the service cannot read (${problem})` }, false)
    }
  }

  if (mark === undefined) {
    await deps.okta.listUsers({ limit: 200 }, onPage)
  } else {
    const since = new Date(Date.parse(mark.value) - OVERLAP_MS).toISOString()
    await deps.okta.listUsers({ limit: 200, filter: `lastUpdated gt "${since}"` }, onPage)
  }
  await deps.okta.listUsers({ limit: 200, filter: 'status eq "DEPROVISIONED"' }, onPage)
  const names = new Map([...groups].map(([id, gs]) => [id, gs.map((g) => g.profile.name)]))
  if (mark !== undefined) {
    for (const id of membershipChanges(before, names)) {
      if (sink.has('okta', id)) continue
      const user = await deps.okta.getUser(id)
      if (user !== null) { await consider(user); continue }
      // Gone from Okta: only a user the service has seen and linked is touched (the plan decides).
      const { line, queue } = await judge(deps.plan, 'okta', id, { gone: true, result: mapOktaUser(null, [], deps.mapping) })
      await sink.add(line, queue)
    }
  }
  await sink.flush()
  // A dry run queued nothing: moving the watermark would skip what it only reported.
  if (!run.dryRun) await deps.watermarks.save('okta', new Date(oktaNow ?? Date.now()).toISOString(), names)
}
