import t from 'tap'
import { startHarness } from '../helpers/harness.js'
import { waitFor } from '../helpers/wait.js'
import { finished } from './run.js'

interface RunRow { id: string, source: string, mode: string, state: string, startedAt: string, finishedAt: string | null }

t.test('schedules: one incremental scheduler per configured source across processes, and its passes never overlap', async (t) => {
  const env = { RECONCILE_INTERVAL_MS: '300', RECONCILE_FULL_INTERVAL_MS: '0' }
  const h = await startHarness(t, { env })
  await h.buildAnother(env)
  const schedulers = await waitFor('the schedulers', async () => await h.app.reconcileQueue.getJobSchedulers(), (s) => s.length > 0)
  t.same(schedulers.map((s) => `${s.key} ${s.every}`), ['okta-incremental 300'], 'one, whoever set it: no full schedule (0), no graph (not configured)')
  const list = async (): Promise<RunRow[]> => (await h.app.inject({ method: 'GET', url: '/ops/reconcile', headers: h.ops })).json().runs as RunRow[]
  const runs = await waitFor('three scheduled passes to finish', list, (r) => r.filter((x) => x.state === 'done').length >= 3, 30_000)
  t.ok(runs.every((r) => r.source === 'okta' && r.mode === 'incremental'))
  const done = runs.filter((r) => r.finishedAt !== null).sort((a, b) => a.startedAt.localeCompare(b.startedAt))
  for (let i = 1; i < done.length; i++) {
    t.ok((done[i]?.startedAt ?? '') >= (done[i - 1]?.finishedAt ?? ''), 'each pass starts after the one before it finished')
  }
  const last = done.at(-1)
  if (last !== undefined) t.equal((await finished(h.app, h.ops, last.id)).run.state, 'done')
})

t.test('schedules: by default none fires at start (the first comes one interval later)', async (t) => {
  const h = await startHarness(t)
  const schedulers = await waitFor('the schedulers', async () => await h.app.reconcileQueue.getJobSchedulers(), (s) => s.length === 2)
  t.same(schedulers.map((s) => `${s.key} ${s.every}`).sort(), ['okta-full 86400000', 'okta-incremental 900000'])
  t.ok(schedulers.every((s) => (s.next ?? 0) > Date.now() + 60_000), 'the next pass is an interval away')
  t.same((await h.app.inject({ method: 'GET', url: '/ops/reconcile', headers: h.ops })).json().runs, [])
})
