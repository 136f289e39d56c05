/**
 * /scim/v2/Groups (RFC 7644 §3.3–3.6): create, read, list with `filter` on displayName (and
 * externalId, id), replace, patch (members added and removed in each form Okta and Entra send)
 * and delete. A group's name is what the mapping file maps to roles and offices, so every change
 * of membership or name queues the users it touches.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { readGroupBody, readGroupPatch, type GroupChange } from '../../src/scim/group-body.js'
import { parseFilter } from '../../src/scim/filter.js'
import { project } from '../../src/scim/project.js'
import type { GroupChangeSet, StoredGroup, WriteResult } from '../../src/scim/store.js'
import { isUserId } from '../../src/sync/user-id.js'
import { baseUrl, notFound, ScimHttpError } from './context.js'
import { listResponse, paging, groupResource } from './render.js'
import { MAX_RESULTS } from './users.js'

const MAX_MEMBERS_PER_REQUEST = 10_000

interface ListQuery { filter?: string, startIndex?: string, count?: string, attributes?: string, excludedAttributes?: string }
interface IdParams { id: string }

/** PATCH changes, in order, folded into one atomic change set. */
export function foldChanges (changes: readonly GroupChange[]): GroupChangeSet {
  const set: GroupChangeSet = { add: [], remove: [], replaceMembers: false }
  const adds = new Set<string>()
  const removes = new Set<string>()
  for (const c of changes) {
    if (c.kind === 'displayName') set.displayName = c.value
    else if (c.kind === 'externalId') set.externalId = c.value ?? null
    else if (c.kind === 'removeAll' || c.kind === 'replaceMembers') {
      set.replaceMembers = true
      adds.clear(); removes.clear()
      if (c.kind === 'replaceMembers') for (const m of c.members) adds.add(m)
    } else if (c.kind === 'add') {
      for (const m of c.members) { adds.add(m); removes.delete(m) }
    } else {
      for (const m of c.members) { removes.add(m); adds.delete(m) }
    }
  }
  set.add = [...adds]
  set.remove = [...removes]
  return set
}

function checkMembers (ids: readonly string[]): void {
  if (ids.length > MAX_MEMBERS_PER_REQUEST) throw new ScimHttpError({ status: 400, scimType: 'tooMany', detail: `at most ${MAX_MEMBERS_PER_REQUEST} members per request` })
  const bad = ids.find((m): boolean => !isUserId(m))
  if (bad !== undefined) throw new ScimHttpError({ status: 400, scimType: 'invalidValue', detail: `member ${JSON.stringify(bad.slice(0, 80))} is not a User id of this server` })
}

export function groupRoutes (app: FastifyInstance): void {
  const store = app.scimStore
  const render = async (request: FastifyRequest<{ Querystring: ListQuery }>, group: StoredGroup): Promise<Record<string, unknown>> => {
    const excluded = (request.query.excludedAttributes ?? '').toLowerCase().split(',').map((s) => s.trim())
    // Entra lists groups with excludedAttributes=members: do not read what is not shown.
    const members = excluded.includes('members') ? [] : (await store.members(group.id)).sort().map((id) => ({ id }))
    return project(groupResource(group, members, baseUrl(request)), request.query.attributes, request.query.excludedAttributes)
  }
  const load = async (id: string): Promise<StoredGroup> => {
    const group = isUserId(id) ? await store.getGroup(id) : undefined
    if (group === undefined) throw notFound(`Group ${JSON.stringify(id)}`)
    return group
  }
  const commit = async (result: WriteResult<StoredGroup>): Promise<StoredGroup> => {
    if (!result.ok) {
      if (result.why === 'missing') throw notFound('Group')
      throw new ScimHttpError({ status: 409, detail: 'the Group was changed by another request while this one applied; send it again' })
    }
    await app.queueScimUsers(result.affected.map((id) => ({ id, seq: result.seq })))
    if (result.affected.length > 0) app.log.info({ scimGroup: result.value.id, users: result.affected.length }, 'SCIM group changed; its users queued')
    return result.value
  }

  app.post<{ Querystring: ListQuery }>('/Groups', async (request, reply) => {
    const read = readGroupBody(request.body)
    if (!read.ok) throw new ScimHttpError(read.problem)
    checkMembers(read.group.members)
    const group = await commit(await store.writeGroup(undefined, { displayName: read.group.displayName, ...(read.group.externalId !== undefined && { externalId: read.group.externalId }), add: read.group.members, remove: [], replaceMembers: false }))
    const resource = await render(request, group)
    return await reply.code(201).header('location', (resource['meta'] as { location: string }).location).send(resource)
  })

  app.get<{ Querystring: ListQuery }>('/Groups', async (request) => {
    const page = paging(request.query, MAX_RESULTS)
    if ('error' in page) throw new ScimHttpError({ status: 400, scimType: 'invalidValue', detail: page.error })
    let ids: string[]
    let total: number
    if (request.query.filter !== undefined) {
      const parsed = parseFilter(request.query.filter, ['displayName', 'externalId', 'id'])
      if (!parsed.ok) throw new ScimHttpError(parsed.problem)
      let found: string[] | undefined
      for (const c of parsed.clauses) {
        const value = typeof c.value === 'string' ? c.value : ''
        const hits = c.attribute === 'id' ? (isUserId(value) && (await store.getGroup(value)) !== undefined ? [value] : []) : await store.findGroups(c.attribute === 'displayName' ? 'displayName' : 'externalId', value)
        found = found === undefined ? hits : found.filter((id) => hits.includes(id))
      }
      const all = (found ?? []).sort()
      total = all.length
      ids = all.slice(page.startIndex - 1, page.startIndex - 1 + page.count)
    } else {
      const listed = await store.listGroups(page.startIndex - 1, page.count)
      total = listed.total
      ids = listed.ids
    }
    const groups = await store.getGroups(ids)
    return listResponse(await Promise.all(groups.map(async (g) => await render(request, g))), total, page.startIndex)
  })

  app.get<{ Params: IdParams, Querystring: ListQuery }>('/Groups/:id', async (request) => await render(request, await load(request.params.id)))

  app.put<{ Params: IdParams, Querystring: ListQuery }>('/Groups/:id', async (request) => {
    const read = readGroupBody(request.body)
    if (!read.ok) throw new ScimHttpError(read.problem)
    checkMembers(read.group.members)
    await load(request.params.id)
    const group = await commit(await store.writeGroup(request.params.id, { displayName: read.group.displayName, externalId: read.group.externalId ?? null, add: read.group.members, remove: [], replaceMembers: true }))
    return await render(request, group)
  })

  app.patch<{ Params: IdParams, Querystring: ListQuery }>('/Groups/:id', async (request, reply) => {
    const read = readGroupPatch(request.body)
    if (!read.ok) throw new ScimHttpError(read.problem)
    const change = foldChanges(read.changes)
    checkMembers([...change.add, ...change.remove])
    await load(request.params.id)
    await commit(await store.writeGroup(request.params.id, change))
    // Entra expects 204 for a group PATCH; Okta accepts it too.
    return await reply.code(204).send()
  })

  app.delete<{ Params: IdParams }>('/Groups/:id', async (request, reply) => {
    const id = request.params.id
    const result = isUserId(id) ? await store.deleteGroup(id) : { ok: false as const, why: 'missing' as const }
    if (!result.ok) throw notFound(`Group ${JSON.stringify(id)}`)
    await app.queueScimUsers(result.affected.map((u) => ({ id: u, seq: result.seq })))
    return await reply.code(204).send()
  })
}
