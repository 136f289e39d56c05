import t from 'tap'
import { randomBytes } from 'node:crypto'
import { createOktaDirectory } from '../../../src/simulators/okta/directory.js'

t.test('the org limit per endpoint family: X-Rate-Limit-* on every answer, 429 with the reset past it, families counted apart', async (t) => {
  const token = randomBytes(20).toString('hex')
  const directory = createOktaDirectory({ token, users: [{ id: '00ua', status: 'ACTIVE', groups: ['00gr'], profile: { login: 'a@example.com' } }], groups: [{ id: '00gr', name: 'Reps' }], rateLimit: 3, rateWindowMs: 60_000 })
  const url = await directory.listen(0)
  t.teardown(() => directory.close())
  const get = async (path: string): Promise<Response> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `SSWS ${token}` } })
    await res.arrayBuffer()
    return res
  }
  const seen: Array<[number, string | null]> = []
  for (let i = 0; i < 4; i++) {
    const res = await get('/api/v1/users?limit=200')
    seen.push([res.status, res.headers.get('x-rate-limit-remaining')])
    t.equal(res.headers.get('x-rate-limit-limit'), '3')
  }
  t.same(seen, [[200, '2'], [200, '1'], [200, '0'], [429, '0']], 'the fourth list call of the minute is refused')
  const over = await get('/api/v1/users')
  const reset = Number(over.headers.get('x-rate-limit-reset'))
  t.ok(reset * 1000 > Date.now() + 50_000 && reset * 1000 <= Date.now() + 61_000, 'its reset is the window\'s end, in epoch seconds')
  t.equal((await get('/api/v1/groups?q=Reps')).status, 200, 'the groups API has its own window')
  t.equal((await get('/api/v1/users/00ua')).status, 200, 'and so has one user by id')
  t.equal(directory.throttled(), 2)
  t.match(directory.requests().at(-1), { family: 'user', status: 200, rateWindow: Number })
})

t.test('a scaled window resets when it ends', async (t) => {
  const token = randomBytes(20).toString('hex')
  const directory = createOktaDirectory({ token, users: [], groups: [], rateLimit: 1, rateWindowMs: 300 })
  const url = await directory.listen(0)
  t.teardown(() => directory.close())
  const status = async (): Promise<number> => {
    const res = await fetch(`${url}/api/v1/users`, { headers: { authorization: `SSWS ${token}` } })
    await res.arrayBuffer()
    return res.status
  }
  t.equal(await status(), 200)
  t.equal(await status(), 429)
  const start = Date.now()
  while (Date.now() - start < 5000 && await status() === 429) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(directory.requests().at(-1)?.status, 200, 'a new window takes calls again')
})
