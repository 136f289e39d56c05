/**
 * The `enerflo` pass: read Enerflo's whole user list (about users ÷ 100 reads plus the inactive
 * pages, inside the shared budget) into the directory, then compare each linked user's managed
 * fields with what the service last applied, and queue a sync only where they differ (a field
 * edited by hand in Enerflo). The worker then reads the provider and puts the field back: a pass
 * never writes to Enerflo itself. A dry run only reports.
 */
import type { EnerfloUserFields } from '../mapping/types.js'
import type { Directory, DirectorySource, DirectoryUser } from '../enerflo/directory.js'
import type { StateStore } from '../sync/state-store.js'
import { parseUserKey, type Source } from '../sync/source.js'
import type { Destructive } from '../sync/brake.js'
import type { PassBrake } from './brake-forecast.js'
import type { ReportLine, Run, Runs } from './runs.js'

export interface EnerfloPassDeps {
  directory: Directory
  store: StateStore
  runs: Runs
  enerflo: DirectorySource
  /** Waits for a slot of the shared Enerflo budget. */
  acquire: () => Promise<void>
  /** Queues sync jobs (the reconcile lane). */
  enqueue: (users: Array<{ source: Source, userId: string, run?: string }>) => Promise<void>
  sources: Source[]
  managedRoles: ReadonlySet<string>
  /** A dry run's forecast of what the brake would hold (src/reconcile/brake-forecast.ts). */
  brake?: PassBrake
}

const BATCH = 200

/** The managed fields where Enerflo's copy differs from what was last applied. */
export function driftFields (applied: EnerfloUserFields, held: DirectoryUser, managedRoles: ReadonlySet<string>): string[] {
  const out: string[] = []
  for (const [field, value] of Object.entries(applied) as Array<[keyof EnerfloUserFields, unknown]>) {
    const have = held[field]
    // Enerflo's list may leave a field out: what it does not show cannot be said to differ.
    if (have === undefined || value === undefined) continue
    if (field === 'roles') {
      const mine = (value as string[]).filter((r) => managedRoles.has(r)).sort().join('|')
      const theirs = (have as string[]).filter((r) => managedRoles.has(r)).sort().join('|')
      if (mine !== theirs) out.push(field)
    } else if (Array.isArray(value)) {
      if (JSON.stringify(value) !== JSON.stringify(have)) out.push(field)
    } else if (field === 'email' || field === 'manager_email') {
      if (String(value).toLowerCase() !== String(have).toLowerCase()) out.push(field)
    } else if (value !== have) out.push(field)
  }
  return out
}

/**
 * What putting the drifted fields back would destroy: a deactivation Enerflo undid by hand, or a
 * managed role granted by hand that the provider does not give. The brake counts these as it
 * counts any destructive write.
 */
export function driftDestructive (applied: EnerfloUserFields, held: DirectoryUser, managedRoles: ReadonlySet<string>): Destructive | undefined {
  const deactivate = applied.active === false && held.active !== false
  const mine = new Set(applied.roles ?? [])
  const removedRoles = applied.roles === undefined ? [] : held.roles.filter((r) => managedRoles.has(r) && !mine.has(r))
  return deactivate || removedRoles.length > 0 ? { deactivate, removedRoles } : undefined
}

export async function runEnerfloPass (deps: EnerfloPassDeps, run: Run): Promise<void> {
  const read = await deps.directory.refresh(deps.enerflo, deps.acquire, (reads) => { run.progress.scanned = reads })
  const links = new Map<string, number>()
  for (const source of deps.sources) for (const [id, key] of await deps.store.links(source)) links.set(key, id)
  run.progress = { scanned: 0, total: links.size, queued: 0 }
  await deps.runs.progress(run, [])
  let lines: ReportLine[] = []
  let toQueue: Array<{ source: Source, userId: string }> = []
  const flush = async (): Promise<void> => {
    if (!run.dryRun && toQueue.length > 0) await deps.enqueue(toQueue.map((u) => ({ ...u, run: run.id })))
    run.progress.queued += run.dryRun ? 0 : toQueue.length
    await deps.runs.progress(run, lines)
    lines = []
    toQueue = []
  }
  for (const [key, enerfloId] of links) {
    const { source, userId } = parseUserKey(key)
    const held = await deps.directory.get(enerfloId)
    const applied = (await deps.store.get(key)).applied
    let line: ReportLine
    if (held === undefined) {
      line = { source, id: userId, enerfloId, action: 'unresolved', fields: [], reason: `Enerflo's list (read ${read.readAt}) has no user ${enerfloId}: deleted in Enerflo, or another company's` }
    } else if (applied === undefined) {
      line = { source, id: userId, enerfloId, action: 'update', fields: [], reason: 'never synced: the whole desired state will be compared' }
    } else {
      const fields = driftFields(applied, held, deps.managedRoles)
      line = { source, id: userId, enerfloId, action: fields.length > 0 ? 'update' : 'unchanged', fields }
      const d = fields.length > 0 ? driftDestructive(applied, held, deps.managedRoles) : undefined
      if (d !== undefined && deps.brake !== undefined) line = deps.brake.consider(line, d)
    }
    if (line.action === 'update' || line.action === 'held') toQueue.push({ source, userId })
    lines.push(line)
    run.progress.scanned++
    if (lines.length >= BATCH) await flush()
  }
  await flush()
}
