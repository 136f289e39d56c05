/**
 * SCIM conformance, Users (RFC 7644 §3.3–3.6, RFC 7643 §4): create, uniqueness, read, list and
 * paging, the filters this server supports and the ones it refuses, replace, delete, and the
 * attributes/excludedAttributes projection. PATCH, the enterprise extension and concurrency are
 * in conformance-users-patch.test.ts.
 */
import t from 'tap'
import { isList, isScimError, q, startScim, USER, type Body } from './conformance-helpers.js'

t.test('SCIM Users: create, read, list, filter, replace, delete', async (t) => {
  const s = await startScim(t)
  const { send } = s

  t.test('POST creates: 201, Location, meta, schemas; the password is neither echoed nor stored', async (t) => {
    const password = `pw-${Math.random().toString(36).slice(2)}-secret`
    const res = await send('POST', '/Users', {
      schemas: [USER], userName: 'Ada.Create@example.com', externalId: '00uCreate', active: true, password,
      name: { givenName: 'Ada', familyName: 'Create' }, emails: [{ value: 'ada.create@example.com', type: 'work', primary: true }]
    })
    t.equal(res.status, 201, res.raw.slice(0, 200))
    t.match(String(res.headers['content-type']), /^application\/scim\+json/)
    const id = res.body['id']
    t.type(id, 'string')
    t.ok((id as string).length > 0)
    const meta = res.body['meta'] as Body
    t.equal(meta['resourceType'], 'User')
    t.equal(res.headers['location'], meta['location'], 'Location is meta.location')
    t.match(meta['location'], new RegExp(`/scim/v2/Users/${id as string}$`))
    t.ok(!Number.isNaN(Date.parse(meta['created'] as string)), 'meta.created is a dateTime')
    t.ok(!Number.isNaN(Date.parse(meta['lastModified'] as string)), 'meta.lastModified is a dateTime')
    t.type(meta['version'], 'string')
    t.same(res.body['schemas'], [USER])
    t.equal(res.body['userName'], 'Ada.Create@example.com', 'userName kept as sent')
    t.equal(res.body['externalId'], '00uCreate')
    t.same(res.body['groups'], [], 'no groups yet')
    t.notOk('password' in res.body, 'no password in the answer')
    t.notMatch(res.raw, password, 'the password text appears nowhere in the answer')

    const raw = await s.h.redis.client().get(`${s.h.app.scimStore.base}u:${id as string}`)
    t.type(raw, 'string', 'the user is stored')
    t.notMatch(raw ?? '', password, 'the password is not in the stored document')
    t.notMatch(raw ?? '', /"password"/, 'nor any password key')
    const got = await send('GET', `/Users/${id as string}`)
    t.equal(got.status, 200)
    t.notOk('password' in got.body)
    t.same(got.body, res.body, 'GET answers what POST answered')
  })

  t.test('a taken userName is 409 uniqueness, whatever its case; nothing is stored', async (t) => {
    await s.createUser(t, 'taken@example.com')
    const before = await s.h.app.scimStore.counts()
    for (const userName of ['taken@example.com', 'TAKEN@Example.COM']) {
      const res = await send('POST', '/Users', { schemas: [USER], userName, externalId: `x-${userName}` })
      isScimError(t, res, 409, 'uniqueness', userName)
    }
    t.same(await s.h.app.scimStore.counts(), before, 'no user added')
    const found = await send('GET', `/Users?${q('externalId eq "x-taken@example.com"')}`)
    isList(t, found, 0, 'the refused externalId is not indexed')
  })

  t.test('GET by id; an unknown id is 404 in the Error schema', async (t) => {
    const id = await s.createUser(t, 'read.me@example.com')
    const res = await send('GET', `/Users/${id}`)
    t.equal(res.status, 200)
    t.equal(res.body['id'], id)
    t.equal(res.body['userName'], 'read.me@example.com')
    isScimError(t, await send('GET', '/Users/2819c223-7f76-453a-919d-413861904646'), 404, undefined, 'an id nobody has')
    isScimError(t, await send('GET', `/Users/${id.slice(0, -1)}`), 404, undefined, 'one character short')
    isScimError(t, await send('GET', '/Users/someone%40example.com'), 404, undefined, 'an email address as the id')
  })

  t.test('list: totalResults, startIndex and count paging (RFC 7644 §3.4.2.4)', async (t) => {
    const s2 = await startScim(t)
    const ids: string[] = []
    for (let i = 1; i <= 5; i++) ids.push(await s2.createUser(t, `page${i}@example.com`))
    const all = isList(t, await s2.send('GET', '/Users'), 5, 'everything')
    t.same(all.map((u) => u['id']), ids, 'in creation order')
    const page = await s2.send('GET', '/Users?startIndex=2&count=2')
    t.same(isList(t, page, 5, 'page 2..3').map((u) => u['id']), ids.slice(1, 3))
    t.equal(page.body['startIndex'], 2)
    const last = await s2.send('GET', '/Users?startIndex=5&count=10')
    t.same(isList(t, last, 5, 'the last one').map((u) => u['id']), ids.slice(4))
    const past = await s2.send('GET', '/Users?startIndex=9')
    t.same(isList(t, past, 5, 'past the end'), [])
    t.same(isList(t, await s2.send('GET', '/Users?count=0'), 5, 'count=0 gives the total only'), [])
    const low = await s2.send('GET', '/Users?startIndex=0&count=1')
    t.same(isList(t, low, 5, 'startIndex below 1 is 1').map((u) => u['id']), ids.slice(0, 1))
    t.equal(low.body['startIndex'], 1)
    t.same(isList(t, await s2.send('GET', '/Users?count=-3'), 5, 'a negative count is 0'), [])
    const filtered = await s2.send('GET', `/Users?${q('userName eq "page3@example.com"')}&startIndex=1&count=100`)
    t.same(isList(t, filtered, 1, 'a filtered page').map((u) => u['id']), [ids[2]])
  })

  t.test('filters: userName (any case), externalId (exact), work email, emails.value, and', async (t) => {
    const a = await s.createUser(t, 'filter.one@example.com', { externalId: 'ExtOne', emails: [{ value: 'one.work@example.com', type: 'work' }, { value: 'one.home@example.com', type: 'home' }] })
    const b = await s.createUser(t, 'filter.two@example.com', { externalId: 'ExtTwo', emails: [{ value: 'two.work@example.com', type: 'work' }] })
    const ids = async (filter: string): Promise<unknown[]> => {
      const res = await send('GET', `/Users?${q(filter)}`)
      t.equal(res.status, 200, `${filter}: 200 (${res.raw.slice(0, 200)})`)
      return (res.body['Resources'] as Body[] | undefined ?? []).map((u) => u['id'])
    }
    t.same(await ids('userName eq "filter.one@example.com"'), [a])
    t.same(await ids('userName eq "FILTER.One@Example.com"'), [a], 'userName is case-insensitive (caseExact false)')
    t.same(await ids('USERNAME EQ "filter.two@example.com"'), [b], 'attribute names and operators in any case')
    t.same(await ids(`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "filter.two@example.com"`), [b], 'URN-prefixed attribute')
    t.same(await ids('externalId eq "ExtOne"'), [a])
    t.same(await ids('externalId eq "extone"'), [], 'externalId is case-exact')
    t.same(await ids('emails[type eq "work"].value eq "one.work@example.com"'), [a])
    t.same(await ids('emails[type eq "work"].value eq "one.home@example.com"'), [], 'the home address is not the work one')
    t.same(await ids('emails.value eq "one.home@example.com"'), [a])
    t.same(await ids('emails eq "two.work@example.com"'), [b], 'emails alone compares the value')
    t.same(await ids('userName eq "filter.one@example.com" and externalId eq "ExtOne"'), [a])
    t.same(await ids('userName eq "filter.one@example.com" and externalId eq "ExtTwo"'), [], 'and needs both')
    t.same(await ids('externalId eq "ExtTwo" and emails[type eq "work"].value eq "two.work@example.com"'), [b])
    t.same(await ids('userName eq "nobody@example.com"'), [], 'no match is an empty list, not a 404')
  })

  t.test('filters this server does not support are 400 invalidFilter', async (t) => {
    const before = await s.h.app.scimStore.counts()
    for (const filter of [
      'userName eq "a@example.com" or userName eq "b@example.com"',
      'userName co "example"', 'userName sw "a"', 'userName ew "com"', 'userName ne "a"', 'userName gt "a"',
      'userName pr', 'not (userName eq "a")', '(userName eq "a")',
      'nickName eq "x"', 'foo eq "x"', 'urn:example:custom:attr eq "x"',
      'junk', '', 'userName eq', 'userName eq "unterminated', 'userName eq 42', 'userName eq "a" and',
      'emails[type eq "work" or type eq "home"].value eq "x"', 'emails.display eq "x"', 'meta.lastModified gt "2011-05-13T04:42:34Z"'
    ]) {
      isScimError(t, await send('GET', `/Users?${q(filter)}`), 400, 'invalidFilter', JSON.stringify(filter))
    }
    isScimError(t, await send('GET', `/Users?${q('userName eq "a@example.com"')}&${q('userName eq "b@example.com"')}`), 400, 'invalidFilter', 'filter given twice')
    for (const param of ['attributes=userName&attributes=title', 'excludedAttributes=emails&excludedAttributes=title', 'startIndex=1&startIndex=2', 'count=1&count=2']) {
      isScimError(t, await send('GET', `/Users?${param}`), 400, 'invalidValue', param)
    }
    t.same(await s.h.app.scimStore.counts(), before, 'a refused query changes nothing')
  })

  t.test('PUT replaces the whole resource; id and created stay; a taken userName is 409', async (t) => {
    const id = await s.createUser(t, 'put.me@example.com', { externalId: 'put-1', title: 'Rep', nickName: 'Putty', phoneNumbers: [{ value: '+1 480 555 0100', type: 'work' }] })
    const before = (await send('GET', `/Users/${id}`)).body
    const res = await send('PUT', `/Users/${id}`, { schemas: [USER], id, userName: 'put.me@example.com', externalId: 'put-1', name: { givenName: 'Put', familyName: 'Me' }, title: 'Manager' })
    t.equal(res.status, 200, res.raw.slice(0, 200))
    t.equal(res.body['id'], id)
    t.equal(res.body['title'], 'Manager')
    t.same(res.body['name'], { givenName: 'Put', familyName: 'Me' })
    t.notOk('nickName' in res.body, 'an attribute left out of the PUT is gone')
    t.notOk('phoneNumbers' in res.body, 'as are the phone numbers')
    t.notOk('emails' in res.body)
    const meta = res.body['meta'] as Body
    const oldMeta = before['meta'] as Body
    t.equal(meta['created'], oldMeta['created'], 'created stays')
    t.not(meta['version'], oldMeta['version'], 'the version moves')
    t.ok(Date.parse(meta['lastModified'] as string) >= Date.parse(oldMeta['lastModified'] as string))
    t.same((await send('GET', `/Users/${id}`)).body, res.body, 'GET answers the replaced user')

    await s.createUser(t, 'put.other@example.com')
    isScimError(t, await send('PUT', `/Users/${id}`, { schemas: [USER], userName: 'PUT.OTHER@example.com' }), 409, 'uniqueness', 'renaming onto a taken userName')
    t.equal((await send('GET', `/Users/${id}`)).body['userName'], 'put.me@example.com', 'the refused rename left the user as it was')
    const renamed = await send('PUT', `/Users/${id}`, { schemas: [USER], userName: 'put.renamed@example.com' })
    t.equal(renamed.status, 200)
    const reuse = await send('POST', '/Users', { schemas: [USER], userName: 'put.me@example.com' })
    t.equal(reuse.status, 201, 'the old userName is free again after a rename')
    isScimError(t, await send('PUT', '/Users/2819c223-7f76-453a-919d-413861904646', { schemas: [USER], userName: 'ghost@example.com' }), 404, undefined, 'PUT to an unknown id')
    isScimError(t, await send('PUT', `/Users/${id}`, { schemas: [USER] }), 400, 'invalidValue', 'PUT without userName')
  })

  t.test('DELETE is 204, then the user is 404 and gone from lists and filters', async (t) => {
    const id = await s.createUser(t, 'delete.me@example.com', { externalId: 'del-1' })
    const res = await send('DELETE', `/Users/${id}`)
    t.equal(res.status, 204)
    t.equal(res.raw, '', 'no body')
    isScimError(t, await send('GET', `/Users/${id}`), 404, undefined, 'GET after DELETE')
    isScimError(t, await send('DELETE', `/Users/${id}`), 404, undefined, 'DELETE again')
    isScimError(t, await send('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }), 404, undefined, 'PATCH after DELETE')
    isList(t, await send('GET', `/Users?${q('userName eq "delete.me@example.com"')}`), 0, 'userName filter')
    isList(t, await send('GET', `/Users?${q('externalId eq "del-1"')}`), 0, 'externalId filter')
    isList(t, await send('GET', `/Users?${q('emails.value eq "delete.me@example.com"')}`), 0, 'email filter')
    const all = (await send('GET', '/Users?count=200')).body['Resources'] as Body[]
    t.notOk(all.some((u) => u['id'] === id), 'not listed')
    t.equal((await send('POST', '/Users', { schemas: [USER], userName: 'delete.me@example.com' })).status, 201, 'the userName can be used again')
  })

  t.test('attributes and excludedAttributes (RFC 7644 §3.9)', async (t) => {
    const id = await s.createUser(t, 'project@example.com', { name: { givenName: 'Pro', familyName: 'Ject' }, title: 'Rep', emails: [{ value: 'project@example.com', type: 'work', primary: true }] })
    const only = await send('GET', `/Users/${id}?attributes=userName,name.givenName`)
    t.equal(only.status, 200)
    t.same(Object.keys(only.body).sort(), ['id', 'name', 'schemas', 'userName'], 'id and schemas always, then what was asked')
    t.same(only.body['name'], { givenName: 'Pro' })
    const urn = await send('GET', `/Users/${id}?attributes=${encodeURIComponent(`${USER}:title`)}`)
    t.same(Object.keys(urn.body).sort(), ['id', 'schemas', 'title'], 'a URN-prefixed name')
    const without = await send('GET', `/Users/${id}?excludedAttributes=emails,title,id`)
    t.notOk('emails' in without.body)
    t.notOk('title' in without.body)
    t.equal(without.body['id'], id, 'id cannot be excluded')
    t.equal(without.body['userName'], 'project@example.com')
    const subs = await send('GET', `/Users/${id}?attributes=emails.value`)
    t.same(subs.body['emails'], [{ value: 'project@example.com' }])
    const listed = await send('GET', `/Users?${q('userName eq "project@example.com"')}&attributes=userName`)
    t.same(isList(t, listed, 1, 'projected list').map((u) => Object.keys(u).sort()), [['id', 'schemas', 'userName']])
    const created = await send('POST', '/Users?attributes=userName', { schemas: [USER], userName: 'project2@example.com', title: 'x' })
    t.equal(created.status, 201)
    t.same(Object.keys(created.body).sort(), ['id', 'schemas', 'userName'], 'a POST answer is projected too')
    t.type(created.headers['location'], 'string', 'and still has its Location')
  })
})
