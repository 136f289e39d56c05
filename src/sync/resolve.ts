/**
 * Which Enerflo user a provider user is (DESIGN.md §3): the identity attribute, else the stored
 * link, else (MATCH_BY_EMAIL) the one Enerflo user with that email, case-insensitively, else
 * (CREATE_USERS, and only for someone in a mapped role group) a new Enerflo user. Anything else is
 * parked, never dropped: unresolved (no match), ambiguous (several), or a conflict (the match is
 * another identity's). One Enerflo user has at most one identity per source.
 */
import type { MappingResult } from '../mapping/types.js'
import type { Directory } from '../enerflo/directory.js'
import type { StateStore, UserRecord } from './state-store.js'

export interface ResolveOptions {
  matchByEmail: boolean
  createUsers: boolean
}

export type Resolution =
  | { kind: 'found', enerfloId: number, how: 'attribute' | 'link' | 'email', linkTo: number | undefined }
  | { kind: 'create', how: 'create' }
  | { kind: 'parked', why: 'unresolved' | 'ambiguous' | 'conflict', reason: string }

export interface ResolveContext {
  store: StateStore
  directory: Directory | undefined
  options: ResolveOptions
}

export async function resolveUser (ctx: ResolveContext, key: string, result: MappingResult, record: UserRecord): Promise<Resolution> {
  const source = key.slice(0, key.indexOf(':'))
  const taken = async (id: number): Promise<string | undefined> => {
    const holder = await ctx.store.linkHolder(source, id)
    return holder !== undefined && holder !== key ? holder : undefined
  }
  const conflict = (id: number, holder: string): Resolution =>
    ({ kind: 'parked', why: 'conflict', reason: `conflict: Enerflo user ${id} is already linked to ${holder}; one Enerflo user has one identity per source` })

  if (result.enerfloUserId !== undefined) {
    const id = result.enerfloUserId
    if (id === record.enerfloId) return { kind: 'found', enerfloId: id, how: 'attribute', linkTo: undefined }
    const holder = await taken(id)
    return holder !== undefined ? conflict(id, holder) : { kind: 'found', enerfloId: id, how: 'attribute', linkTo: id }
  }
  if (record.enerfloId !== undefined) return { kind: 'found', enerfloId: record.enerfloId, how: 'link', linkTo: undefined }

  const email = result.desired.email?.trim().toLowerCase()
  if (ctx.options.matchByEmail && ctx.directory !== undefined && email !== undefined && email !== '') {
    const ids = await ctx.directory.idsByEmail(email)
    if (ids.length > 1) {
      return { kind: 'parked', why: 'ambiguous', reason: `ambiguous: Enerflo users ${ids.join(' and ')} have this email; link one (PUT /ops/links/…)` }
    }
    const [id] = ids
    if (id !== undefined) {
      const holder = await taken(id)
      return holder !== undefined ? conflict(id, holder) : { kind: 'found', enerfloId: id, how: 'email', linkTo: id }
    }
  }
  const inRoleGroup = (result.desired.roles ?? []).length > 0
  if (ctx.options.createUsers && inRoleGroup && email !== undefined && email !== '') return { kind: 'create', how: 'create' }
  return {
    kind: 'parked',
    why: 'unresolved',
    reason: ctx.options.createUsers && !inRoleGroup
      ? 'no Enerflo user matches, and the user is in no mapped role group, so none is created'
      : 'no Enerflo user id: set the identity attribute at the provider, store a link, or (MATCH_BY_EMAIL) give Enerflo a user with this email'
  }
}
