/**
 * The sandbox's test hooks over HTTP (/__sandbox/*), so whole-process tests that only have the
 * sandbox's URL can read its users and requests, inject faults and reset it. They never count
 * against the rate limit: observing the sandbox must not change what it answers.
 */
import type { ServerResponse } from 'node:http'
import { send } from './sandbox-http.js'
import { parseFault } from './sandbox-faults.js'
import { normalizeUsers } from './sandbox-seed.js'
import type { SandboxState } from './sandbox-state.js'
import { reassignLeads, type SandboxUser } from './sandbox-types.js'

function parse (raw: string): { ok: true, value: unknown } | { ok: false } {
  if (raw.trim() === '') return { ok: true, value: undefined }
  try { return { ok: true, value: JSON.parse(raw) } } catch { return { ok: false } }
}

/** Reassigns a user's leads (sandbox-types.ts reassignLeads); false when there is no such user. */
export function reassignUserLeads (state: SandboxState, id: number, role?: string): boolean {
  const user = state.users.get(id)
  if (user === undefined) return false
  state.users.set(id, reassignLeads(user, role))
  return true
}

export function handleHook (state: SandboxState, method: string, path: string, raw: string, res: ServerResponse): void {
  const route = `${method} ${path}`
  if (route === 'GET /__sandbox/users') {
    const users = [...state.users.values()].sort((a, b) => a.id - b.id)
    return send(res, 200, {}, { users })
  }
  if (route === 'GET /__sandbox/requests') {
    return send(res, 200, {}, { requests: state.requests, creates: state.creates, reads: state.reads, maxConcurrentPerUser: state.maxConcurrent })
  }
  const body = parse(raw)
  if (!body.ok) return send(res, 400, {}, { success: false, message: 'The request body is not valid JSON.' })
  if (route === 'POST /__sandbox/faults') {
    const fault = parseFault(body.value)
    if (fault === undefined) {
      return send(res, 400, {}, { success: false, message: 'Expected a fault: {kind:"status",status,count,body?} | {kind:"latency",ms,count} | {kind:"drop",count} | {kind:"rate-limit",count,retryAfterSec}, each with an optional on: "put" (default) | "post" | "get" | "any"' })
    }
    state.faults.push(fault)
    return send(res, 200, {}, { success: true, pending: state.faults.pending() })
  }
  const reassign = method === 'POST' ? /^\/__sandbox\/users\/(\d+)\/reassign-leads$/.exec(path) : null
  if (reassign !== null) {
    const v = body.value as { role?: unknown } | undefined
    const role = v !== null && typeof v === 'object' ? v.role : undefined
    if (role !== undefined && (typeof role !== 'string' || role === '')) return send(res, 400, {}, { success: false, message: 'Expected {"role": "<Role Name>"} or no body (every role).' })
    const id = Number(reassign[1])
    if (!reassignUserLeads(state, id, role)) return send(res, 404, {}, { success: false, message: `User ${id} not found.` })
    return send(res, 200, {}, { success: true, attributed: state.users.get(id)?.attributed })
  }
  if (route === 'POST /__sandbox/reset') {
    const v = body.value as { users?: unknown } | undefined
    let users: SandboxUser[] | undefined
    if (v !== undefined && v !== null && typeof v === 'object' && v.users !== undefined) {
      try { users = normalizeUsers(v.users, 'reset') } catch (err) {
        return send(res, 400, {}, { success: false, message: (err as Error).message })
      }
    }
    state.reset(users)
    return send(res, 200, {}, { success: true, users: state.users.size })
  }
  send(res, 404, {}, { success: false, message: `No sandbox hook ${route}` })
}
