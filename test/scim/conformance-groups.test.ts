/**
 * SCIM conformance, Groups (RFC 7644 §3.3–3.6, RFC 7643 §4.2): create, read, list, filter on
 * displayName, excludedAttributes=members (as Entra lists groups), PATCH members in both of
 * Entra's removal forms and path-less replace, PUT, DELETE, and the read-only `groups` of a User
 * following every membership change.
 */
import t from 'tap'
import { GROUP, isList, isScimError, patchOf, q, startScim, type Body } from './conformance-helpers.js'

t.test('SCIM Groups', async (t) => {
  const s = await startScim(t)
  const { send } = s
  const memberIds = async (gid: string): Promise<string[]> => {
    const res = await send('GET', `/Groups/${gid}`)
    t.equal(res.status, 200)
    return ((res.body['members'] as Body[] | undefined) ?? []).map((m) => m['value'] as string).sort()
  }
  const groupsOf = async (uid: string): Promise<string[]> =>
    (((await send('GET', `/Users/${uid}`)).body['groups'] as Body[] | undefined) ?? []).map((g) => g['value'] as string).sort()
  const ok204 = async (gid: string, ...ops: Body[]): Promise<void> => {
    const res = await send('PATCH', `/Groups/${gid}`, patchOf(...ops))
    t.equal(res.status, 204, `PATCH ${JSON.stringify(ops).slice(0, 100)}: 204 (${res.raw.slice(0, 200)})`)
    t.equal(res.raw, '')
  }
  const u1 = await s.createUser(t, 'g.one@example.com')
  const u2 = await s.createUser(t, 'g.two@example.com')
  const u3 = await s.createUser(t, 'g.three@example.com')

  t.test('create and read', async (t) => {
    const res = await send('POST', '/Groups', { schemas: [GROUP], displayName: 'Sales Reps', externalId: 'grp-ext-1', members: [{ value: u1 }, { value: u2, display: 'Two' }] })
    t.equal(res.status, 201, res.raw.slice(0, 200))
    const id = res.body['id'] as string
    t.same(res.body['schemas'], [GROUP])
    t.equal(res.body['displayName'], 'Sales Reps')
    t.equal(res.body['externalId'], 'grp-ext-1')
    const meta = res.body['meta'] as Body
    t.equal(meta['resourceType'], 'Group')
    t.equal(res.headers['location'], meta['location'])
    t.match(meta['location'], new RegExp(`/scim/v2/Groups/${id}$`))
    const members = res.body['members'] as Body[]
    t.same(members.map((m) => m['value']).sort(), [u1, u2].sort())
    for (const m of members) {
      t.equal(m['type'], 'User')
      t.match(m['$ref'], new RegExp(`/scim/v2/Users/${m['value'] as string}$`), 'each member has its $ref')
    }
    t.same((await send('GET', `/Groups/${id}`)).body, res.body, 'GET answers what POST answered')
    t.same(await groupsOf(u1), [id], 'the user lists the group')
    const g = ((await send('GET', `/Users/${u1}`)).body['groups'] as Body[])[0] as Body
    t.equal(g['display'], 'Sales Reps', 'with its display name')
    t.match(g['$ref'], new RegExp(`/scim/v2/Groups/${id}$`))
    t.same(await groupsOf(u3), [], 'not a member: no groups')
    isScimError(t, await send('GET', '/Groups/9f1d2c11-aaaa-4bbb-8ccc-123456789abc'), 404, undefined, 'an unknown group')
    isScimError(t, await send('POST', '/Groups', { schemas: [GROUP] }), 400, 'invalidValue', 'no displayName')
    isScimError(t, await send('POST', '/Groups', { schemas: [GROUP], displayName: 'Bad', members: [{ value: 'a@b.example' }] }), 400, 'invalidValue', 'a member that cannot be an id')
  })

  t.test('list, filter on displayName, excludedAttributes=members', async (t) => {
    const a = await s.createGroup(t, 'Filter Alpha', [u1])
    const b = await s.createGroup(t, 'Filter Beta', [u2, u3])
    const one = await send('GET', `/Groups?${q('displayName eq "Filter Alpha"')}`)
    t.same(isList(t, one, 1, 'displayName eq').map((g) => g['id']), [a])
    const folded = await send('GET', `/Groups?${q('displayName eq "filter beta"')}`)
    t.same(isList(t, folded, 1, 'displayName is case-insensitive').map((g) => g['id']), [b])
    isList(t, await send('GET', `/Groups?${q('displayName eq "Filter Gamma"')}`), 0, 'no such group')
    const lean = await send('GET', `/Groups?${q('displayName eq "Filter Beta"')}&excludedAttributes=members`)
    const [g] = isList(t, lean, 1, 'without members')
    t.notOk('members' in (g as Body), 'no members key')
    t.equal((g as Body)['displayName'], 'Filter Beta')
    const single = await send('GET', `/Groups/${b}?excludedAttributes=members`)
    t.notOk('members' in single.body, 'on a single group too')
    const all = await send('GET', '/Groups?excludedAttributes=members')
    const listed = isList(t, all, all.body['totalResults'] as number, 'all groups')
    t.ok(listed.length >= 2)
    const page = await send('GET', '/Groups?startIndex=2&count=1')
    t.equal(isList(t, page, all.body['totalResults'] as number, 'paged').length, 1)
    t.equal(page.body['startIndex'], 2)
    isScimError(t, await send('GET', '/Groups?excludedAttributes=members&excludedAttributes=meta'), 400, 'invalidValue', 'excludedAttributes given twice')
    isScimError(t, await send('GET', `/Groups/${a}?attributes=displayName&attributes=members`), 400, 'invalidValue', 'attributes given twice')
    for (const bad of ['displayName co "Filter"', 'displayName eq "a" or displayName eq "b"', 'members eq "x"', 'junk']) {
      isScimError(t, await send('GET', `/Groups?${q(bad)}`), 400, 'invalidFilter', bad)
    }
  })

  t.test('PATCH members: add, both Entra removal forms, path-less replace of displayName', async (t) => {
    const g = await s.createGroup(t, 'Patch Me', [])
    await ok204(g, { op: 'Add', path: 'members', value: [{ value: u1 }, { value: u2 }] })
    t.same(await memberIds(g), [u1, u2].sort(), 'added')
    t.ok((await groupsOf(u2)).includes(g), 'the user shows the group')
    await ok204(g, { op: 'add', path: 'members', value: [{ value: u2 }, { value: u3 }] })
    t.same(await memberIds(g), [u1, u2, u3].sort(), 'adding a member twice keeps one')
    await ok204(g, { op: 'Remove', path: 'members', value: [{ value: u1 }] })
    t.same(await memberIds(g), [u2, u3].sort(), 'removed with a value list (Entra default)')
    t.notOk((await groupsOf(u1)).includes(g), 'the removed user no longer shows it')
    await ok204(g, { op: 'remove', path: `members[value eq "${u2}"]` })
    t.same(await memberIds(g), [u3], 'removed with a value filter (aadOptscim062020)')
    t.notOk((await groupsOf(u2)).includes(g))
    await ok204(g, { op: 'remove', path: `members[value eq "${u2}"]` })
    t.same(await memberIds(g), [u3], 'removing a non-member is no error')
    await ok204(g, { op: 'replace', value: { id: g, displayName: 'Patched Name' } })
    const got = await send('GET', `/Groups/${g}`)
    t.equal(got.body['displayName'], 'Patched Name', 'path-less replace, the echoed id skipped')
    t.same(await memberIds(g), [u3], 'members untouched by a rename')
    t.equal(((await send('GET', `/Users/${u3}`)).body['groups'] as Body[]).find((x) => x['value'] === g)?.['display'], 'Patched Name', 'the user sees the new name')
    isList(t, await send('GET', `/Groups?${q('displayName eq "Patch Me"')}`), 0, 'the old name no longer matches')
    isList(t, await send('GET', `/Groups?${q('displayName eq "Patched Name"')}`), 1, 'the new one does')
    await ok204(g, { op: 'replace', path: 'members', value: [{ value: u1 }] })
    t.same(await memberIds(g), [u1], 'replace members')
    await ok204(g, { op: 'remove', path: 'members' })
    t.same(await memberIds(g), [], 'remove every member')
    isScimError(t, await send('PATCH', `/Groups/${g}`, patchOf({ op: 'remove', path: 'displayName' })), 400, 'invalidValue', 'displayName cannot be removed')
    isScimError(t, await send('PATCH', `/Groups/${g}`, patchOf({ op: 'add', path: 'owner', value: 'x' })), 400, 'invalidPath', 'an unknown attribute')
    isScimError(t, await send('PATCH', `/Groups/${g}`, patchOf({ op: 'remove', path: 'members[display eq "x"]' })), 400, 'invalidPath', 'a member filter on display')
    isScimError(t, await send('PATCH', '/Groups/9f1d2c11-aaaa-4bbb-8ccc-123456789abc', patchOf({ op: 'add', path: 'members', value: [{ value: u1 }] })), 404, undefined, 'an unknown group')
    t.same(await memberIds(g), [], 'the refused PATCHes changed nothing')
  })

  t.test('PUT replaces name and members', async (t) => {
    const g = await s.createGroup(t, 'Put Group', [u1, u2])
    const res = await send('PUT', `/Groups/${g}`, { schemas: [GROUP], id: g, displayName: 'Put Group Renamed', members: [{ value: u3 }] })
    t.equal(res.status, 200, res.raw.slice(0, 200))
    t.equal(res.body['displayName'], 'Put Group Renamed')
    t.same((res.body['members'] as Body[]).map((m) => m['value']), [u3])
    t.same(await memberIds(g), [u3])
    t.notOk((await groupsOf(u1)).includes(g), 'the dropped members lose the group')
    t.ok((await groupsOf(u3)).includes(g))
    isScimError(t, await send('PUT', '/Groups/9f1d2c11-aaaa-4bbb-8ccc-123456789abc', { schemas: [GROUP], displayName: 'Ghost' }), 404, undefined, 'PUT to an unknown group')
  })

  t.test('DELETE is 204; the group is gone and no user lists it', async (t) => {
    const g = await s.createGroup(t, 'Delete Group', [u1, u2])
    const res = await send('DELETE', `/Groups/${g}`)
    t.equal(res.status, 204)
    isScimError(t, await send('GET', `/Groups/${g}`), 404, undefined, 'GET after DELETE')
    isScimError(t, await send('DELETE', `/Groups/${g}`), 404, undefined, 'DELETE again')
    t.notOk((await groupsOf(u1)).includes(g))
    t.notOk((await groupsOf(u2)).includes(g))
    isList(t, await send('GET', `/Groups?${q('displayName eq "Delete Group"')}`), 0, 'not found by name')
  })

  t.test('a deleted user leaves every group it was in', async (t) => {
    const u = await s.createUser(t, 'g.leaver@example.com')
    const g = await s.createGroup(t, 'Leaver Group', [u, u1])
    t.equal((await send('DELETE', `/Users/${u}`)).status, 204)
    t.same(await memberIds(g), [u1], 'only the other member is left')
  })
})
