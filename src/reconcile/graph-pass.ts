/**
 * The `graph` pass: one round of Graph's users delta with `$select` of the mapped properties
 * (from the kept deltaLink, or from the start for a full pass or when Graph refuses the token),
 * the members of the mapped groups (a membership change is not in the users delta), each user
 * judged as the worker would, and a sync queued only where it differs. `@removed` rows: `deleted`
 * is the provider saying the user is gone (the plan touches only a user it has seen and linked);
 * `changed` means out of the app's scope, which says nothing about the person: reported, never
 * deactivated. The delta also selects `manager`: a row whose manager changed carries
 * `manager@delta` with the manager's id (or that id marked `@removed`), and the manager's address
 * is read once per manager per pass, so a manager-only change is found without a read per user. A
 * row without it leaves the manager out of the comparison (unchanged, or not known to this pass).
 */
import { isObject } from '../http/body.js'
import { isUserId } from '../sync/user-id.js'
import { graphSelect, mapGraphUser, type GraphManagerData, type GraphUserData } from '../mapping/graph.js'
import type { Mapping } from '../mapping/mapping-file.js'
import type { GraphClient } from '../graph/client.js'
import { judge, type JudgeContext } from './judge.js'
import { createSink, type Enqueue } from './sink.js'
import { membershipChanges } from './memberships.js'
import type { Run, Runs } from './runs.js'
import type { Watermarks } from './watermarks.js'

const MANAGER_SELECT = ['mail', 'userPrincipalName']

export interface GraphPassDeps {
  graph: Pick<GraphClient, 'delta' | 'groups' | 'getUser'>
  mapping: Mapping
  plan: JudgeContext
  runs: Runs
  watermarks: Watermarks
  enqueue: Enqueue
  log?: { warn: (o: object, m: string) => void }
}

/** Each user's mapped group names, from the members of every group carrying a mapped name. */
async function mappedGroups (deps: GraphPassDeps): Promise<Map<string, string[]>> {
  const names = [...new Set([...deps.mapping.roles.map((r) => r.group), ...deps.mapping.offices.map((o) => o.group)])]
  const byUser = new Map<string, string[]>()
  for (const name of names) {
    for (const group of await deps.graph.groups.findByName(name)) {
      for (const id of await deps.graph.groups.memberIds(group.id) ?? []) byUser.set(id, [...new Set([...(byUser.get(id) ?? []), name])])
    }
  }
  return byUser
}

export async function runGraphPass (deps: GraphPassDeps, run: Run): Promise<void> {
  let mark = run.mode === 'incremental' ? await deps.watermarks.get('graph') : undefined
  const before = await deps.watermarks.members('graph')
  const sink = createSink(deps.runs, run, deps.enqueue)
  const groups = await mappedGroups(deps)
  const select = graphSelect(deps.mapping)

  // Manager id → its address fields, read once per pass (many reports share one manager).
  const managers = new Map<string, Promise<GraphManagerData | null>>()
  const managerOf = async (row: Record<string, unknown>): Promise<GraphManagerData | null> => {
    const entries = row['manager@delta']
    if (!Array.isArray(entries)) return null
    const current = entries.filter((m): m is Record<string, unknown> => isObject(m) && !('@removed' in m) && isUserId(m['id'])).at(-1)
    if (current === undefined) return null
    const id = current['id'] as string
    let read = managers.get(id)
    if (read === undefined) {
      read = deps.graph.getUser(id, MANAGER_SELECT) as Promise<GraphManagerData | null>
      managers.set(id, read)
    }
    return await read
  }
  const consider = async (user: GraphUserData | null, id: string, manager: GraphManagerData | null = null): Promise<void> => {
    const fetched = { gone: user === null, result: mapGraphUser(user, manager, groups.get(id) ?? [], deps.mapping) }
    const { line, queue } = await judge(deps.plan, 'graph', id, fetched)
    await sink.add(line, queue)
  }
  const onRow = async (row: unknown): Promise<void> => {
    if (!isObject(row) || !isUserId(row['id'])) {
      const id = isObject(row) && typeof row['id'] === 'string' ? row['id'].slice(0, 64) : '(no id)'
      await sink.add({ source: 'graph', id, enerfloId: null, action: 'unresolved', fields: [], reason: 'row skipped: Graph listed a user the service cannot read (no usable id)' }, false)
      return
    }
    const id = row['id']
    // Graph repeats entities within and across pages: the first line stands, the job reads afresh.
    if (sink.has('graph', id)) return
    const removed = row['@removed']
    if (isObject(removed)) {
      if (removed['reason'] === 'deleted') return await consider(null, id)
      await sink.add({ source: 'graph', id, enerfloId: null, action: 'unchanged', fields: [], reason: `out of the app's scope at Graph (@removed: ${String(removed['reason']).slice(0, 32)}): reported only, nothing is deactivated` }, false)
      return
    }
    // A delta row may carry only what changed: read the whole user rather than map a part of it.
    const whole = select.every((p) => p in row) ? row as GraphUserData : await deps.graph.getUser(id, select)
    await consider(whole, id, await managerOf(row))
  }
  const onPage = async (rows: unknown[]): Promise<void> => { for (const row of rows) await onRow(row) }

  const deltaSelect = [...select, 'manager']
  let round = await deps.graph.delta.users(mark?.value, deltaSelect, onPage)
  if ('expired' in round) {
    deps.log?.warn({ runId: run.id, reason: round.expired }, 'graph delta token refused: a full pass instead')
    run.mode = 'full'
    mark = undefined
    round = await deps.graph.delta.users(undefined, deltaSelect, onPage)
  }
  if ('expired' in round) throw new Error(round.expired)
  if (mark !== undefined) {
    for (const id of membershipChanges(before, groups)) {
      if (!sink.has('graph', id) && isUserId(id)) await consider(await deps.graph.getUser(id, select), id)
    }
  }
  await sink.flush()
  // A dry run queued nothing: keeping its deltaLink would skip what it only reported.
  if (!run.dryRun) await deps.watermarks.save('graph', round.deltaLink, groups)
}
