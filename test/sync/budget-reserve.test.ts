import t from 'tap'
import { startRedis } from '../helpers/redis.js'
import { createBudget, reservedSlots, RESERVE_POLL_MS } from '../../src/sync/budget.js'

t.test('the reserve: 5 % of a window, at least one slot, never the whole budget', async (t) => {
  t.same([1, 2, 20, 21, 300, 600].map(reservedSlots), [0, 1, 1, 2, 15, 30])
})

t.test('the last slots of a window are kept for deactivations', async (t) => {
  const redis = (await startRedis(t)).client()
  t.teardown(() => redis.disconnect())
  const budget = createBudget(redis, { prefix: 'b', max: 20, windowMs: 60_000 })
  for (let i = 0; i < 19; i++) t.equal(await budget.acquire(), 0, `other call ${i + 1} of its 19`)
  const held = await budget.acquire()
  t.ok(held > 0 && held <= RESERVE_POLL_MS, `the 20th other call waits only a poll (${held} ms): the reserve is free, a deactivation may come`)
  t.equal((await budget.state()).used, 19, 'and is not counted')
  t.equal(await budget.acquire('deactivation'), 0, 'a deactivation takes the reserved slot')
  const full = await budget.acquire('deactivation')
  t.ok(full > 50_000, `then even a deactivation waits for the window (${full} ms)`)
  const other = await budget.acquire()
  t.ok(other > 50_000, `and with nothing left for anyone nobody polls (${other} ms)`)
  t.equal((await budget.state()).used, 20)
})

t.test('a deactivation may use the whole budget; others wait for their share to free', async (t) => {
  const redis = (await startRedis(t)).client()
  t.teardown(() => redis.disconnect())
  const budget = createBudget(redis, { prefix: 'b', max: 4, windowMs: 60_000 })
  for (let i = 0; i < 4; i++) t.equal(await budget.acquire('deactivation'), 0)
  const other = await budget.acquire()
  t.ok(other > 50_000, `an other call waits until its share frees, not a poll (${other} ms)`)
})

t.test('a budget of one keeps no reserve', async (t) => {
  const redis = (await startRedis(t)).client()
  t.teardown(() => redis.disconnect())
  const budget = createBudget(redis, { prefix: 'b', max: 1, windowMs: 60_000 })
  t.equal(await budget.acquire(), 0)
  t.ok(await budget.acquire() > 50_000)
})

t.test('peek answers as acquire would and counts nothing', async (t) => {
  const redis = (await startRedis(t)).client()
  t.teardown(() => redis.disconnect())
  const budget = createBudget(redis, { prefix: 'b', max: 20, windowMs: 60_000 })
  t.equal(await budget.peek(), 0, 'a slot is free')
  t.equal((await budget.state()).used, 0, 'and the peek took none')
  for (let i = 0; i < 19; i++) await budget.acquire()
  const other = await budget.peek()
  t.ok(other > 0 && other <= RESERVE_POLL_MS, `only the reserve is left: a reconcile job would step aside (${other} ms)`)
  t.equal(await budget.peek('deactivation'), 0, 'a deactivation would go')
  t.equal((await budget.state()).used, 19, 'no peek counted')
})
