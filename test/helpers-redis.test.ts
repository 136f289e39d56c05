import t from 'tap'
import { startRedis } from './helpers/redis.js'

t.test('private redis starts, stops and starts again', async (t) => {
  const r = await startRedis(t)
  const c = r.client()
  await c.set('k', 'v')
  t.equal(await c.get('k'), 'v')
  await r.stop()
  await r.start()
  t.equal(await c.get('k'), null, 'no persistence by default')
})
