/**
 * Driving reconciliation runs through the routes, as an operator does: start one, wait for the
 * event that ends it (its state leaves `running`), read its report; and wait for the sync queue
 * to settle before looking at what the worker did.
 */
import type { FastifyInstance } from 'fastify'
import { waitFor } from '../helpers/wait.js'
import { fannedOut } from '../helpers/deliveries.js'

export interface Finished { id: string, run: Record<string, unknown> & { state: string, progress: { queued: number }, error: string | null }, lines: Array<{ source: string, id: string, enerfloId: number | null, action: string, fields: string[], reason?: string }> }

export const json = { 'content-type': 'application/json' }

export async function startRun (app: FastifyInstance, ops: Record<string, string>, body: Record<string, unknown>): Promise<{ statusCode: number, body: Record<string, unknown> }> {
  const res = await app.inject({ method: 'POST', url: '/ops/reconcile', headers: { ...json, ...ops }, payload: body })
  return { statusCode: res.statusCode, body: res.json() as Record<string, unknown> }
}

export async function finished (app: FastifyInstance, ops: Record<string, string>, id: string): Promise<Finished> {
  await waitFor('the run to finish', async () => (await app.inject({ method: 'GET', url: `/ops/reconcile/${id}`, headers: ops })).json().state, (s) => s !== 'running', 30_000)
  const report = (await app.inject({ method: 'GET', url: `/ops/reconcile/${id}/report?reveal=true`, headers: ops })).json() as Omit<Finished, 'id'>
  return { id, ...report }
}

export async function reconcile (app: FastifyInstance, ops: Record<string, string>, body: Record<string, unknown>): Promise<Finished> {
  const res = await startRun(app, ops, body)
  if (res.statusCode !== 202) throw new Error(`reconcile answered ${res.statusCode}: ${JSON.stringify(res.body)}`)
  return await finished(app, ops, String(res.body['id']))
}

export async function settled (app: FastifyInstance): Promise<void> {
  await fannedOut(app)
  await waitFor('queue to settle', async () => await app.syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'),
    (c) => Object.values(c).every((n) => n === 0), 30_000)
}

/** The report's lines that are not `unchanged`, as `id action fields`. */
export const changed = (r: Finished): string[] => r.lines.filter((l) => l.action !== 'unchanged').map((l) => `${l.id} ${l.action} ${l.fields.join(',')}`).sort()
