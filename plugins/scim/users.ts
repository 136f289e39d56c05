/**
 * /scim/v2/Users (RFC 7644 §3.3–3.6): create, read, list with `filter` (userName, externalId, the
 * work email, id), replace, patch and delete. Every answer comes from the SCIM store at once; a
 * write stores the user and its sync job before it answers, and the worker makes Enerflo match
 * later, inside Enerflo's budget. `active: false` and a delete queue in the deactivate lane.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { applyUserPatch, isActive, readUserBody, userEmails } from '../../src/scim/user-body.js'
import { parseFilter, type FilterClause } from '../../src/scim/filter.js'
import { project } from '../../src/scim/project.js'
import type { Attributes, StoredUser, UserIndex, WriteResult } from '../../src/scim/store.js'
import { isUserId } from '../../src/sync/user-id.js'
import { baseUrl, notFound, ScimHttpError } from './context.js'
import { listResponse, paging, userResource } from './render.js'

export const MAX_RESULTS = 200
// Each round of a compare-and-set race has a winner, so n PATCHes of one user at once need at most
// n rounds; 5 refused half of 10 concurrent PATCHes with a 409. Entra sends up to ~25 a second.
const CAS_TRIES = 32
const USER_FILTER_ATTRIBUTES = ['userName', 'externalId', 'emails', 'id'] as const

interface ListQuery { filter?: string, startIndex?: string, count?: string, attributes?: string, excludedAttributes?: string }
interface IdParams { id: string }

function indexOf (attrs: Attributes): UserIndex {
  const externalId = typeof attrs['externalId'] === 'string' ? attrs['externalId'] : undefined
  return { userName: attrs['userName'] as string, ...(externalId !== undefined && { externalId }), emails: userEmails(attrs) }
}

const eqFold = (a: unknown, b: unknown): boolean => typeof a === 'string' && typeof b === 'string' && a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase()

/** Whether a stored user satisfies one `eq` clause, with each attribute's case rule. */
function matches (user: StoredUser, c: FilterClause): boolean {
  if (c.attribute === 'id') return user.id === c.value
  if (c.attribute === 'userName') return eqFold(user.attrs['userName'], c.value)
  if (c.attribute === 'externalId') return user.attrs['externalId'] === c.value
  const emails = Array.isArray(user.attrs['emails']) ? user.attrs['emails'] as Array<Record<string, unknown>> : []
  return emails.some((e) => (c.type === undefined || eqFold(e['type'], c.type)) && eqFold(e[c.sub ?? 'value'], c.value))
}

async function candidates (app: FastifyInstance, c: FilterClause): Promise<string[]> {
  if (typeof c.value !== 'string') return []
  if (c.attribute === 'id') return isUserId(c.value) ? [c.value] : []
  if (c.attribute === 'userName') return await app.scimStore.findUsers('userName', c.value)
  if (c.attribute === 'externalId') return await app.scimStore.findUsers('externalId', c.value)
  if (c.sub !== undefined && c.sub !== 'value') throw new ScimHttpError({ status: 400, scimType: 'invalidFilter', detail: `unsupported filter: emails.${c.sub}; filter on emails.value or emails[type eq "work"].value` })
  return await app.scimStore.findUsers('email', c.value)
}

export function userRoutes (app: FastifyInstance): void {
  const store = app.scimStore
  const render = async (request: FastifyRequest, user: StoredUser): Promise<Record<string, unknown>> =>
    userResource(user, await store.groupsOf(user.id), baseUrl(request))
  const shown = (request: FastifyRequest<{ Querystring: ListQuery }>, resource: Record<string, unknown>): Record<string, unknown> =>
    project(resource, request.query.attributes, request.query.excludedAttributes)
  const load = async (id: string): Promise<StoredUser> => {
    const user = isUserId(id) ? await store.getUser(id) : undefined
    if (user === undefined) throw notFound(`User ${JSON.stringify(id)}`)
    return user
  }
  /** Stores, queues the user's job, or says why not. */
  const commit = async (result: WriteResult<StoredUser>): Promise<StoredUser | 'version'> => {
    if (result.ok) {
      await app.queueScimUsers([{ id: result.value.id, seq: result.seq }], isActive(result.value.attrs) ? undefined : new Set([result.value.id]))
      return result.value
    }
    if (result.why === 'taken') throw new ScimHttpError({ status: 409, scimType: 'uniqueness', detail: `userName is already taken by User ${result.holder}` })
    if (result.why === 'exists') throw new ScimHttpError({ status: 409, scimType: 'uniqueness', detail: 'the User already exists' })
    if (result.why === 'missing') throw notFound('User')
    return 'version'
  }
  /** Read, change and compare-and-set, again from a fresh read when another write came between. */
  const update = async (id: string, change: (user: StoredUser) => Attributes): Promise<StoredUser> => {
    for (let i = 0; i < CAS_TRIES; i++) {
      const user = await load(id)
      const attrs = change(user)
      if (JSON.stringify(attrs) === JSON.stringify(user.attrs)) return user
      const done = await commit(await store.putUser(id, attrs, indexOf(attrs), user.meta.version, user.meta))
      if (done !== 'version') return done
    }
    throw new ScimHttpError({ status: 409, detail: 'the User was changed by other requests while this one applied; send it again' })
  }

  app.post<{ Querystring: ListQuery }>('/Users', async (request, reply) => {
    const read = readUserBody(request.body)
    if (!read.ok) throw new ScimHttpError(read.problem)
    const user = await commit(await store.putUser(undefined, read.attrs, indexOf(read.attrs)))
    if (user === 'version') throw new ScimHttpError({ status: 409, scimType: 'uniqueness', detail: 'the User already exists' })
    request.log.info({ scimUser: user.id }, 'SCIM user created; sync queued')
    const resource = await render(request, user)
    return await reply.code(201).header('location', (resource['meta'] as { location: string }).location).send(shown(request, resource))
  })

  app.get<{ Querystring: ListQuery }>('/Users', async (request) => {
    const page = paging(request.query, MAX_RESULTS)
    if ('error' in page) throw new ScimHttpError({ status: 400, scimType: 'invalidValue', detail: page.error })
    let users: StoredUser[]
    let total: number
    const filter = request.query.filter
    if (filter !== undefined) {
      const parsed = parseFilter(filter, USER_FILTER_ATTRIBUTES)
      if (!parsed.ok) throw new ScimHttpError(parsed.problem)
      const [first, ...rest] = parsed.clauses
      const found = first === undefined ? [] : (await store.getUsers(await candidates(app, first))).filter((u) => matches(u, first) && rest.every((c) => matches(u, c)))
      found.sort((a, b) => a.meta.created.localeCompare(b.meta.created) || a.id.localeCompare(b.id))
      total = found.length
      users = found.slice(page.startIndex - 1, page.startIndex - 1 + page.count)
    } else {
      const listed = await store.listUsers(page.startIndex - 1, page.count)
      total = listed.total
      users = await store.getUsers(listed.ids)
    }
    const resources = await Promise.all(users.map(async (u) => shown(request, await render(request, u))))
    return listResponse(resources, total, page.startIndex)
  })

  app.get<{ Params: IdParams, Querystring: ListQuery }>('/Users/:id', async (request) =>
    shown(request, await render(request, await load(request.params.id))))

  app.put<{ Params: IdParams, Querystring: ListQuery }>('/Users/:id', async (request) => {
    const read = readUserBody(request.body)
    if (!read.ok) throw new ScimHttpError(read.problem)
    const user = await update(request.params.id, () => read.attrs)
    return shown(request, await render(request, user))
  })

  app.patch<{ Params: IdParams, Querystring: ListQuery }>('/Users/:id', async (request) => {
    const user = await update(request.params.id, (current) => {
      const patched = applyUserPatch(current.attrs, request.body)
      if (!patched.ok) throw new ScimHttpError(patched.problem)
      return patched.attrs
    })
    return shown(request, await render(request, user))
  })

  app.delete<{ Params: IdParams }>('/Users/:id', async (request, reply) => {
    const id = request.params.id
    const result = isUserId(id) ? await store.deleteUser(id) : { ok: false as const, why: 'missing' as const }
    if (!result.ok) throw notFound(`User ${JSON.stringify(id)}`)
    await app.queueScimUsers([{ id, seq: result.seq }], new Set([id]))
    request.log.info({ scimUser: id }, 'SCIM user deleted; deactivation queued')
    return await reply.code(204).send()
  })
}
