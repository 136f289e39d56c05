/**
 * SCIM conformance, User PATCH (RFC 7644 §3.5.2): add, replace and remove with a plain, dotted,
 * filtered and URN-prefixed path, and without a path; all-or-nothing; the enterprise extension and
 * its manager in the object form and Entra's bare-string form; and two PATCHes of one user at once
 * both landing (the store's compare-and-set).
 */
import t from 'tap'
import { ENTERPRISE, isScimError, patchOf, startScim, USER, type Body } from './conformance-helpers.js'

t.test('SCIM User PATCH', async (t) => {
  const s = await startScim(t)
  const { send } = s
  const patch = async (id: string, ...ops: Body[]): Promise<Body> => {
    const res = await send('PATCH', `/Users/${id}`, patchOf(...ops))
    t.equal(res.status, 200, `PATCH ${JSON.stringify(ops).slice(0, 120)}: 200 (${res.raw.slice(0, 200)})`)
    const got = await send('GET', `/Users/${id}`)
    t.same(got.body, res.body, 'the PATCH answer is the stored user')
    return res.body
  }

  t.test('each op form', async (t) => {
    const id = await s.createUser(t, 'patch.forms@example.com', {
      name: { givenName: 'Pat', familyName: 'Forms' },
      emails: [{ value: 'patch.forms@example.com', type: 'work', primary: true }, { value: 'pat@home.example', type: 'home' }]
    })
    let u = await patch(id, { op: 'add', path: 'title', value: 'Rep' })
    t.equal(u['title'], 'Rep', 'add a simple attribute')
    u = await patch(id, { op: 'replace', path: 'title', value: 'Senior Rep' })
    t.equal(u['title'], 'Senior Rep', 'replace it')
    u = await patch(id, { op: 'replace', path: 'name.givenName', value: 'Patricia' })
    t.same(u['name'], { givenName: 'Patricia', familyName: 'Forms' }, 'replace a sub-attribute, the rest kept')
    u = await patch(id, { op: 'add', path: 'phoneNumbers', value: [{ value: '+1 480 555 0101', type: 'mobile' }] })
    t.same(u['phoneNumbers'], [{ value: '+1 480 555 0101', type: 'mobile' }], 'add to a multi-valued attribute')
    u = await patch(id, { op: 'add', path: 'phoneNumbers', value: [{ value: '+1 480 555 0102', type: 'work' }] })
    t.equal((u['phoneNumbers'] as unknown[]).length, 2, 'add appends')
    u = await patch(id, { op: 'replace', path: 'emails[type eq "work"].value', value: 'pat.new@example.com' })
    t.same((u['emails'] as Body[]).map((e) => [e['type'], e['value']]), [['work', 'pat.new@example.com'], ['home', 'pat@home.example']], 'replace through a value filter')
    u = await patch(id, { op: 'remove', path: 'emails[type eq "home"]' })
    t.same((u['emails'] as Body[]).map((e) => e['value']), ['pat.new@example.com'], 'remove through a value filter')
    u = await patch(id, { op: 'remove', path: 'phoneNumbers[value eq "+1 480 555 0101"]' })
    t.same((u['phoneNumbers'] as Body[]).map((e) => e['value']), ['+1 480 555 0102'])
    u = await patch(id, { op: 'remove', path: 'phoneNumbers' })
    t.notOk('phoneNumbers' in u, 'remove a whole attribute')
    u = await patch(id, { op: 'remove', path: 'title' })
    t.notOk('title' in u)
    u = await patch(id, { op: 'add', value: { nickName: 'Patty', 'name.familyName': 'Formsby' } })
    t.equal(u['nickName'], 'Patty', 'add without a path')
    t.equal((u['name'] as Body)['familyName'], 'Formsby', 'a dotted key without a path')
    u = await patch(id, { op: 'replace', value: { displayName: 'Pat F', [`${USER}:title`]: 'Lead', [`${ENTERPRISE}:department`]: 'Sales' } })
    t.equal(u['displayName'], 'Pat F', 'replace without a path')
    t.equal(u['title'], 'Lead', 'a core URN key')
    t.same(u[ENTERPRISE], { department: 'Sales' }, 'an enterprise URN key')
    t.ok((u['schemas'] as string[]).includes(ENTERPRISE), 'schemas lists the extension once it is used')
    u = await patch(id, { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Ops' })
    t.same(u[ENTERPRISE], { department: 'Ops' }, 'a URN path')
    u = await patch(id, { op: 'remove', path: `${ENTERPRISE}:department` })
    t.notOk(ENTERPRISE in u, 'the extension goes when it is empty')
    t.same(u['schemas'], [USER])
    u = await patch(id, { op: 'replace', path: 'active', value: false })
    t.equal(u['active'], false)
    u = await patch(id, { op: 'Replace', path: 'active', value: 'True' })
    t.equal(u['active'], true, '"True" as a string (Entra)')
    u = await patch(id, { op: 'add', path: 'nickName', value: 'P' }, { op: 'replace', path: 'nickName', value: 'PF' }, { op: 'remove', path: 'displayName' })
    t.equal(u['nickName'], 'PF', 'several operations apply in order')
    t.notOk('displayName' in u)
    const version = (u['meta'] as Body)['version']
    const again = await send('PATCH', `/Users/${id}`, patchOf({ op: 'replace', path: 'nickName', value: 'PF' }))
    t.equal((again.body['meta'] as Body)['version'], version, 'a PATCH that changes nothing leaves the version')
  })

  t.test('a bad operation is refused whole: nothing of the PATCH is applied', async (t) => {
    const id = await s.createUser(t, 'patch.atomic@example.com', { title: 'Before' })
    const before = (await send('GET', `/Users/${id}`)).body
    const cases: Array<[string, Body[], string]> = [
      ['an unknown attribute', [{ op: 'replace', path: 'title', value: 'After' }, { op: 'replace', path: 'favouriteColour', value: 'red' }], 'invalidPath'],
      ['a read-only attribute', [{ op: 'replace', path: 'title', value: 'After' }, { op: 'replace', path: 'id', value: 'x' }], 'mutability'],
      ['groups (read-only on a User)', [{ op: 'add', path: 'groups', value: [{ value: 'x' }] }], 'mutability'],
      ['remove the required userName', [{ op: 'remove', path: 'userName' }], 'invalidValue'],
      ['a wrong type', [{ op: 'replace', path: 'active', value: 'maybe' }], 'invalidValue'],
      ['remove without a path', [{ op: 'remove' }], 'noTarget'],
      ['an unknown op', [{ op: 'move', path: 'title', value: 'x' }], 'invalidSyntax'],
      ['an unsupported value filter', [{ op: 'replace', path: 'emails[value co "x"].value', value: 'y' }], 'invalidPath'],
      ['a path-less replace with a string', [{ op: 'replace', value: 'After' }], 'invalidValue']
    ]
    for (const [what, ops, scimType] of cases) {
      isScimError(t, await send('PATCH', `/Users/${id}`, patchOf(...ops)), 400, scimType, what)
    }
    isScimError(t, await send('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [] }), 400, 'invalidSyntax', 'no Operations')
    isScimError(t, await send('PATCH', `/Users/${id}`, { schemas: [USER], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }), 400, 'invalidSyntax', 'not the PatchOp schema')
    t.same((await send('GET', `/Users/${id}`)).body, before, 'the user is as it was')
  })

  t.test('the enterprise extension and its manager round-trip, object and bare-string forms', async (t) => {
    const boss = await s.createUser(t, 'the.boss@example.com')
    const other = await s.createUser(t, 'other.boss@example.com')
    const res = await send('POST', '/Users', {
      schemas: [USER, ENTERPRISE], userName: 'ent.user@example.com',
      [ENTERPRISE]: { employeeNumber: '701984', costCenter: '4130', department: 'Sales', manager: { value: boss, displayName: 'The Boss' } }
    })
    t.equal(res.status, 201, res.raw.slice(0, 200))
    const id = res.body['id'] as string
    t.same(res.body['schemas'], [USER, ENTERPRISE])
    t.match(res.body[ENTERPRISE], { employeeNumber: '701984', costCenter: '4130', department: 'Sales', manager: { value: boss } })
    t.same((await send('GET', `/Users/${id}`)).body[ENTERPRISE], res.body[ENTERPRISE], 'read back as created')
    let u = await patch(id, { op: 'add', path: `${ENTERPRISE}:manager`, value: other })
    t.same((u[ENTERPRISE] as Body)['manager'], { value: other }, 'a bare id (Entra) is the manager\'s value')
    t.equal((u[ENTERPRISE] as Body)['department'], 'Sales', 'the rest of the extension kept')
    u = await patch(id, { op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: boss } })
    t.same((u[ENTERPRISE] as Body)['manager'], { value: boss }, 'the object form')
    u = await patch(id, { op: 'replace', value: { [`${ENTERPRISE}:manager`]: other } })
    t.same((u[ENTERPRISE] as Body)['manager'], { value: other }, 'path-less, URN key, bare id')
    u = await patch(id, { op: 'replace', path: `${ENTERPRISE}:manager.value`, value: boss })
    t.same((u[ENTERPRISE] as Body)['manager'], { value: boss }, 'manager.value')
    u = await patch(id, { op: 'replace', value: { [ENTERPRISE]: { manager: { value: other }, division: 'West' } } })
    t.match(u[ENTERPRISE], { manager: { value: other }, division: 'West', department: 'Sales' }, 'the extension object without a path')
    u = await patch(id, { op: 'remove', path: `${ENTERPRISE}:manager` })
    t.notOk('manager' in (u[ENTERPRISE] as Body), 'manager removed')
    const put = await send('PUT', `/Users/${id}`, { schemas: [USER, ENTERPRISE], userName: 'ent.user@example.com', [`${ENTERPRISE}:manager`]: { value: boss } })
    t.equal(put.status, 200)
    t.same(put.body[ENTERPRISE], { manager: { value: boss } }, 'a PUT replaces the extension too')
  })

  t.test('two PATCHes of one user at once both land (compare-and-set)', async (t) => {
    const id = await s.createUser(t, 'concurrent@example.com')
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([
        send('PATCH', `/Users/${id}`, patchOf({ op: 'add', path: 'phoneNumbers', value: [{ value: `+1 480 555 1${round}01`, type: 'work' }] })),
        send('PATCH', `/Users/${id}`, patchOf({ op: 'add', path: 'phoneNumbers', value: [{ value: `+1 480 555 1${round}02`, type: 'mobile' }] }))
      ])
      t.equal(a.status, 200, a.raw.slice(0, 200))
      t.equal(b.status, 200, b.raw.slice(0, 200))
    }
    const phones = ((await send('GET', `/Users/${id}`)).body['phoneNumbers'] as Body[]).map((p) => p['value']).sort()
    t.equal(phones.length, 10, 'all ten additions landed')
    // Ten at once: each compare-and-set round has one winner, so the last needs ten rounds.
    const many = await Promise.all(Array.from({ length: 10 }, async (_, i) => await send('PATCH', `/Users/${id}`, patchOf({ op: 'add', path: 'emails', value: [{ value: `c${i}@example.com`, type: 'other' }] }))))
    t.same(many.map((r) => r.status), Array.from({ length: 10 }, () => 200), 'ten at once, none refused')
    const emails = ((await send('GET', `/Users/${id}`)).body['emails'] as Body[]).map((e) => e['value'])
    for (let i = 0; i < 10; i++) t.ok(emails.includes(`c${i}@example.com`), `c${i} landed`)
    const [title, nick] = await Promise.all([
      send('PATCH', `/Users/${id}`, patchOf({ op: 'replace', path: 'title', value: 'Closer' })),
      send('PATCH', `/Users/${id}`, patchOf({ op: 'replace', path: 'nickName', value: 'Con' }))
    ])
    t.equal(title.status, 200)
    t.equal(nick.status, 200)
    const last = (await send('GET', `/Users/${id}`)).body
    t.equal(last['title'], 'Closer')
    t.equal(last['nickName'], 'Con')
  })
})
