/**
 * The `graph` pass: one round of Graph's users delta with `$select` of the mapped properties
 * (from the kept deltaLink, or from the start for a full pass or when Graph refuses the token),
 * the members of the mapped groups (a membership change is not in the users delta), each user
 * judged as the worker would, and a sync queued only where it differs. `@removed` rows: `deleted`
 * is the provider saying the user is gone (the plan touches only a user it has seen and linked);
 * `changed` means out of the app's scope, which says nothing about the person: reported, never
 * deactivated. The delta also selects `manager`: a row whose manager changed carries
 * `manager@delta` with the manager's id (or that id marked `@removed`), so a manager-only change is
 * found without a read per user. A row without it leaves the manager out of the comparison
 * (unchanged, or not known to this pass). The manager's address comes from its own row when the pass lists it (a full pass lists every
 * manager), else from one read per manager per pass.
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

  // A manager is a user of the same tenant, so a full pass lists it too: its address is taken from
  // its own row. A report whose manager has not been listed (yet) waits for the end of the round,
  // and a manager never listed (an incremental pass lists few) is read once per pass.
  const listed = new Map<string, GraphManagerData>()
  const waiting = new Map<string, { user: GraphUserData | null, managerId: string }>()
  const reads = new Map<string, Promise<GraphManagerData | null>>()
  const text = (v: unknown): string | null => typeof v === 'string' ? v : null
  const managerIdOf = (row: Record<string, unknown>): string | undefined => {
    const entries = row['manager@delta']
    if (!Array.isArray(entries)) return undefined
    const current = entries.filter((m): m is Record<string, unknown> => isObject(m) && !('@removed' in m) && isUserId(m['id'])).at(-1)
    return current?.['id'] as string | undefined
  }
  const managerById = async (id: string): Promise<GraphManagerData | null> => {
    const known = listed.get(id)
    if (known !== undefined) return known
    let read = reads.get(id)
    if (read === undefined) {
      read = deps.graph.getUser(id, MANAGER_SELECT).then((u) => u === null ? null : { mail: text(u['mail']), userPrincipalName: text(u['userPrincipalName']) })
      reads.set(id, read)
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
    if (sink.has('graph', id) || waiting.has(id)) return
    const removed = row['@removed']
    if (isObject(removed)) {
      if (removed['reason'] === 'deleted') return await consider(null, id)
      await sink.add({ source: 'graph', id, enerfloId: null, action: 'unchanged', fields: [], reason: `out of the app's scope at Graph (@removed: ${String(removed['reason']).slice(0, 32)}): reported only, nothing is deactivated` }, false)
      return
    }
    // A delta row may carry only what changed: read the whole user rather than map a part of it.
    const whole = select.every((p) => p in row) ? row as GraphUserData : await deps.graph.getUser(id, select)
    if (whole !== null) listed.set(id, { mail: text(whole['mail']), userPrincipalName: text(whole['userPrincipalName']) })
    const managerId = managerIdOf(row)
    if (managerId === undefined) return await consider(whole, id)
    const known = listed.get(managerId)
    if (known !== undefined) return await consider(whole, id, known)
    waiting.set(id, { user: whole, managerId })
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
  for (const [id, w] of waiting) await consider(w.user, id, await managerById(w.managerId))
  if (mark !== undefined) {
    for (const id of membershipChanges(before, groups)) {
      if (!sink.has('graph', id) && isUserId(id)) await consider(await deps.graph.getUser(id, select), id)
    }
  }
  await sink.flush()
  // A dry run queued nothing: keeping its deltaLink would skip what it only reported.
  if (!run.dryRun) await deps.watermarks.save('graph', round.deltaLink, groups)
}
