/**
 * How the chaos run's people change: one change at a time, made in the run's model and at the
 * person's provider (the local Okta or Graph) before the event that announces it is sent.
 */
import type { OktaDirectory } from '../../src/simulators/okta/directory.js'
import type { LocalGraph } from '../helpers/local-graph/graph.js'
import type { Rng } from './rng.js'
import { ALL_GROUPS, OFFICE_GROUPS, ROLE_GROUPS, graphUserOf, oktaUserOf, phone, type ChaosEvent, type Person } from './world.js'

export type ChangeKind = 'phone' | 'name' | 'group' | 'status' | 'manager' | 'email'

export interface Providers { directory: OktaDirectory, graph: LocalGraph }

/** Makes one change to a person, in the model and at their provider, and returns its event. */
export function change (p: Person, kind: ChangeKind, rng: Rng, providers: Providers, newId: () => string): ChaosEvent {
  p.version++
  let type = 'user.account.update_profile'
  let groupId: string | undefined
  if (kind === 'phone') {
    const value = phone(rng)
    // Graph users sometimes keep only a business phone: the mapping falls back to it.
    if (p.source === 'graph' && rng.chance(0.3)) { p.mobile = null; p.business = value } else p.mobile = value
  } else if (kind === 'name') {
    if (rng.chance(0.5)) p.first = `First-${p.id.slice(-4)}-v${p.version}`
    else p.last = `Last-${p.id.slice(-4)}-v${p.version}`
  } else if (kind === 'email') {
    p.email = `${p.login.split('@')[0] ?? 'x'}.v${p.version}@chaos.example.com`
  } else if (kind === 'manager') {
    p.manager = 1 - p.manager
  } else if (kind === 'status') {
    const next = p.status !== 'ACTIVE' ? 'ACTIVE' : p.source === 'okta' && rng.chance(0.3) ? 'SUSPENDED' : p.source === 'okta' ? 'DEPROVISIONED' : 'DISABLED'
    type = next === 'ACTIVE'
      ? (p.status === 'SUSPENDED' ? 'user.lifecycle.unsuspend' : 'user.lifecycle.reactivate')
      : next === 'SUSPENDED' ? 'user.lifecycle.suspend' : 'user.lifecycle.deactivate'
    p.status = next
  } else {
    const flip = flapGroup(p, rng)
    groupId = `00g${flip.name.toLowerCase()}`
    type = flip.added ? 'group.user_membership.add' : 'group.user_membership.remove'
  }
  if (p.source === 'okta') applyOkta(p, kind, groupId, type, providers.directory)
  else providers.graph.setUser(graphUserOf(p))
  return { source: p.source, id: newId(), userId: p.id, type: p.source === 'okta' ? type : 'updated', ...(groupId !== undefined && p.source === 'okta' && { groupId }) }
}

function applyOkta (p: Person, kind: ChangeKind, groupId: string | undefined, type: string, directory: OktaDirectory): void {
  if (kind === 'status') directory.setStatus(p.id, p.status)
  else if (kind === 'group' && groupId !== undefined) {
    if (type === 'group.user_membership.add') directory.addToGroup(p.id, groupId)
    else directory.removeFromGroup(p.id, groupId)
  } else directory.updateProfile(p.id, oktaUserOf(p).profile)
}

/** Adds or removes one group, never leaving the person without a role group or an office group. */
function flapGroup (p: Person, rng: Rng): { name: string, added: boolean } {
  for (let tries = 0; tries < 10; tries++) {
    const name = rng.pick(ALL_GROUPS)
    if (!p.groups.includes(name)) { p.groups.push(name); return { name, added: true } }
    const rest = p.groups.filter((g) => g !== name)
    if (ROLE_GROUPS.some((g) => rest.includes(g)) && OFFICE_GROUPS.some((g) => rest.includes(g))) {
      p.groups = rest
      return { name, added: false }
    }
  }
  const added = !p.groups.includes('Everyone')
  p.groups = added ? [...p.groups, 'Everyone'] : p.groups.filter((g) => g !== 'Everyone')
  return { name: 'Everyone', added }
}
