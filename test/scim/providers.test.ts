/**
 * The two SCIM clients as they really talk (FACTS §5, the samples beside these tests): Okta's
 * create-and-update sequence (look up by userName, POST, GET, full PUT echoing id/meta/groups,
 * path-less PATCH to deactivate, a re-POST answered 409), Entra's provisioning without and with
 * the aadOptscim062020 flag (string booleans, capitalised ops, member removal by value list or by
 * value filter, path-less replace with dotted and URN keys), Entra's Test Connection, and Entra's
 * bare-string manager PATCH.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { ENTERPRISE, GROUP, isList, isScimError, LIST, patchOf, q, startScim, USER, type Body } from './conformance-helpers.js'
import { sample, sampleText } from './samples.js'

t.test('Okta: lookup, create, read, full PUT, deactivate by PATCH, re-POST is 409', async (t) => {
  const s = await startScim(t)
  const { send } = s
  // Okta's lookup exactly as captured (the request line of the .http sample).
  const line = /^GET (\S+) HTTP\/1\.1/.exec(sampleText('scim-okta-get-users-filter-username-request.http'))?.[1] ?? ''
  t.match(line, /^\/scim\/v2\/Users\?filter=userName%20eq%20%22test\.user%40okta\.local%22&startIndex=1&count=100$/)
  const path = line.replace('/scim/v2', '')
  const lookup = await send('GET', path, undefined, { 'user-agent': 'Okta SCIM Client 1.0.0' })
  t.same(lookup.body, { schemas: [LIST], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] }, 'nobody yet: an empty ListResponse, totalResults 0')

  const create = sample('scim-okta-post-create-user-request.json') as Body
  const created = await send('POST', '/Users', create)
  t.equal(created.status, 201, created.raw.slice(0, 200))
  const id = created.body['id'] as string
  t.match(created.body, { userName: 'test.user@okta.local', externalId: '00ujl29u0le5T6Aj10h7', active: true, displayName: 'Test User', locale: 'en-US', name: { givenName: 'Test', familyName: 'User' } })
  t.same(created.body['emails'], [{ primary: true, value: 'test.user@okta.local', type: 'work' }])
  t.notOk('password' in created.body)
  t.notMatch(await s.h.redis.client().get(`${s.h.app.scimStore.base}u:${id}`) ?? '', create['password'] as string, 'the password is not stored')

  const found = await send('GET', path)
  t.same(isList(t, found, 1, 'the lookup finds the new user').map((u) => u['id']), [id])
  const read = await send('GET', `/Users/${id}`)
  t.equal(read.status, 200)

  // Okta's PUT echoes id, meta and groups (the sample's id is another server's: ours goes in).
  const put = { ...(sample('scim-okta-put-update-user-request.json') as Body), id }
  const updated = await send('PUT', `/Users/${id}`, put)
  t.equal(updated.status, 200, updated.raw.slice(0, 200))
  t.same(updated.body['name'], { givenName: 'Another', middleName: 'Excited', familyName: 'User' })
  t.same(updated.body['emails'], [{ primary: true, value: 'test.user@okta.local', type: 'work', display: 'test.user@okta.local' }])
  t.equal(updated.body['id'], id, 'the id is the server\'s')
  t.equal((updated.body['meta'] as Body)['resourceType'], 'User')
  t.equal((updated.body['meta'] as Body)['created'], (created.body['meta'] as Body)['created'], 'meta from the body is ignored: created stays')
  t.same(updated.body['groups'], [], 'groups in the body are ignored (read-only)')

  const off = await send('PATCH', `/Users/${id}`, sample('scim-okta-patch-deactivate-user-request.json'))
  t.equal(off.status, 200, off.raw.slice(0, 200))
  t.equal(off.body['active'], false, 'deactivated by a path-less replace')
  t.equal((await send('GET', `/Users/${id}`)).body['active'], false)
  const waiting = await s.h.app.syncQueue.getWaiting()
  t.same(waiting.map((j) => j.data.userId), [id], 'the user\'s sync job waits (the create\'s, which reads the stored, now inactive, user)')

  const again = await send('POST', '/Users', create)
  isScimError(t, again, 409, 'uniqueness', 're-POST of an existing user')
  const noExternal = await send('POST', '/Users', sample('scim-okta-post-create-user-no-externalid-request.json'))
  isScimError(t, noExternal, 409, 'uniqueness', 're-POST without externalId')
  t.equal((await s.h.app.scimStore.counts()).users, 1, 'still one user')
  const lookupAgain = await send('GET', path)
  t.equal((isList(t, lookupAgain, 1, 'an inactive user is still found')[0] as Body)['active'], false)
})

t.test('Entra without aadOptscim062020: Test Connection, "Replace" with "False", members removed by value list', async (t) => {
  const s = await startScim(t)
  const { send } = s
  const probe = await send('GET', `/Users?${q(`userName eq "${randomUUID()}"`)}`)
  t.same(probe.body, { schemas: [LIST], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] }, 'Test Connection: 200 and an empty ListResponse')
  isList(t, await send('GET', `/Users?${q(`externalId eq "${randomUUID()}"`)}`), 0, 'a random externalId too')
  isList(t, await send('GET', `/Groups?excludedAttributes=members&${q(`displayName eq "${randomUUID()}"`)}`), 0, 'and a random group')
  const schemas = await send('GET', '/Schemas')
  t.equal(schemas.status, 200, 'Entra reads /Schemas')

  isList(t, await send('GET', `/Users?${q('userName eq "jo.entra@contoso.example"')}`), 0, 'the lookup before a create')
  // Someone provisioned before Jo: their job waits ahead of Jo's until Jo is deactivated.
  const bystander = await s.createUser(t, 'earlier@contoso.example')
  const created = await send('POST', '/Users', {
    schemas: [USER, ENTERPRISE], externalId: 'b9f0e2c4-entra', userName: 'jo.entra@contoso.example', active: true, displayName: 'Jo Entra',
    emails: [{ primary: true, type: 'work', value: 'jo.entra@contoso.example' }], meta: { resourceType: 'User' },
    name: { formatted: 'Jo Entra', familyName: 'Entra', givenName: 'Jo' }, title: 'Rep',
    [ENTERPRISE]: { employeeNumber: '1001', department: 'Sales' }
  })
  t.equal(created.status, 201, created.raw.slice(0, 200))
  const id = created.body['id'] as string
  t.same(created.body['schemas'], [USER, ENTERPRISE])
  t.same(isList(t, await send('GET', `/Users?${q('externalId eq "b9f0e2c4-entra"')}`), 1, 'found by externalId').map((u) => u['id']), [id])

  const several = await send('PATCH', `/Users/${id}`, patchOf(
    { op: 'Replace', path: 'displayName', value: 'Jo E. Entra' },
    { op: 'Add', path: 'emails[type eq "work"].value', value: 'jo.e@contoso.example' },
    { op: 'Replace', path: 'name.givenName', value: 'Joanna' },
    { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Ops' },
    { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 480 555 0177' }
  ))
  t.equal(several.status, 200, several.raw.slice(0, 200))
  t.match(several.body, { displayName: 'Jo E. Entra', name: { givenName: 'Joanna' }, [ENTERPRISE]: { department: 'Ops', employeeNumber: '1001' } })
  t.same(several.body['emails'], [{ primary: true, type: 'work', value: 'jo.e@contoso.example' }], 'the work email replaced in place')
  t.same(several.body['phoneNumbers'], [{ type: 'mobile', value: '+1 480 555 0177' }], 'a filtered add creates the element')
  t.same(isList(t, await send('GET', `/Users?${q('emails[type eq "work"].value eq "jo.e@contoso.example"')}`), 1, 'the new work email is indexed').map((u) => u['id']), [id])
  isList(t, await send('GET', `/Users?${q('emails[type eq "work"].value eq "jo.entra@contoso.example"')}`), 0, 'the old one is not')

  const off = await send('PATCH', `/Users/${id}`, patchOf({ op: 'Replace', path: 'active', value: 'False' }))
  t.equal(off.status, 200)
  t.equal(off.body['active'], false, '"False" is false')
  const waiting = await s.h.app.syncQueue.getWaiting()
  t.same(waiting.map((j) => j.data.userId).sort(), [bystander, id].sort(), 'one job each')
  // A worker takes the wait list's right end first; the deactivate lane moved Jo's job there.
  const next = (await s.h.redis.client().lrange('test:user-sync:wait', -1, -1))[0]
  t.equal(waiting.find((j) => j.id === next)?.data.userId, id, 'the deactivation runs before the earlier user\'s job')

  isList(t, await send('GET', `/Groups?excludedAttributes=members&${q('displayName eq "Entra Reps"')}`), 0, 'the group lookup')
  const group = await send('POST', '/Groups', { schemas: [GROUP], externalId: 'grp-entra-1', displayName: 'Entra Reps', meta: { resourceType: 'Group' }, members: [] })
  t.equal(group.status, 201, group.raw.slice(0, 200))
  const gid = group.body['id'] as string
  const add = await send('PATCH', `/Groups/${gid}`, patchOf({ op: 'Add', path: 'members', value: [{ value: id }] }))
  t.equal(add.status, 204)
  t.same(((await send('GET', `/Users/${id}`)).body['groups'] as Body[]).map((g) => g['value']), [gid])
  const remove = await send('PATCH', `/Groups/${gid}`, patchOf({ op: 'Remove', path: 'members', value: [{ value: id }] }))
  t.equal(remove.status, 204)
  t.same((await send('GET', `/Users/${id}`)).body['groups'], [], 'removed by the value list')
  t.equal((await send('DELETE', `/Users/${id}`)).status, 204, 'Entra deletes: 204')
  t.equal((await send('DELETE', `/Groups/${gid}`)).status, 204)
})

t.test('Entra with aadOptscim062020: booleans, path-less replace with dotted and URN keys, members[value eq …]', async (t) => {
  const s = await startScim(t)
  const { send } = s
  const id = await s.createUser(t, 'flag.user@contoso.example', { externalId: 'flag-1', name: { givenName: 'Fla', familyName: 'Gg' } })
  const other = await s.createUser(t, 'flag.other@contoso.example')
  const off = await send('PATCH', `/Users/${id}`, patchOf({ op: 'replace', path: 'active', value: false }))
  t.equal(off.body['active'], false)
  const many = await send('PATCH', `/Users/${id}`, patchOf({
    op: 'replace',
    value: {
      displayName: 'Flag User', 'name.familyName': 'Flagg', 'emails[type eq "work"].value': 'flag.new@contoso.example',
      [`${ENTERPRISE}:department`]: 'Field', [`${ENTERPRISE}:manager`]: other, active: true
    }
  }))
  t.equal(many.status, 200, many.raw.slice(0, 200))
  t.match(many.body, { displayName: 'Flag User', name: { givenName: 'Fla', familyName: 'Flagg' }, active: true, [ENTERPRISE]: { department: 'Field', manager: { value: other } } })
  t.same((many.body['emails'] as Body[]).map((e) => e['value']), ['flag.new@contoso.example'])
  t.notOk('name.familyName' in many.body, 'a dotted key is a path, not a literal attribute')

  const gid = await s.createGroup(t, 'Flag Group', [id, other])
  const removed = await send('PATCH', `/Groups/${gid}`, patchOf({ op: 'remove', path: `members[value eq "${id}"]` }))
  t.equal(removed.status, 204)
  t.same(((await send('GET', `/Groups/${gid}`)).body['members'] as Body[]).map((m) => m['value']), [other])
  const renamed = await send('PATCH', `/Groups/${gid}`, patchOf({ op: 'replace', value: { id: gid, displayName: 'Flag Group 2' } }))
  t.equal(renamed.status, 204)
  t.equal((await send('GET', `/Groups/${gid}`)).body['displayName'], 'Flag Group 2')
})

t.test("Entra's manager PATCH: the bare id as the value", async (t) => {
  const s = await startScim(t)
  const id = await s.createUser(t, 'managed@contoso.example')
  const body = sample('scim-entra-patch-manager-string-value-issue686-request.json') as { Operations: Array<{ value: string }> }
  const res = await s.send('PATCH', `/Users/${id}`, body)
  t.equal(res.status, 200, res.raw.slice(0, 200))
  t.same((res.body[ENTERPRISE] as Body)['manager'], { value: body.Operations[0]?.value }, 'stored as manager.value')
  t.ok((res.body['schemas'] as string[]).includes(ENTERPRISE))
  t.same((await s.send('GET', `/Users/${id}`)).body[ENTERPRISE], res.body[ENTERPRISE], 'and read back')
})
