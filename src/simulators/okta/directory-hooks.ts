/**
 * The demo directory's hooks over HTTP (/__sandbox/*), so an admin can rehearse the runbook in
 * sandbox mode with curl: `POST /__sandbox/faults` queues failures the way Okta fails (a refused
 * token, 5xx, a rate limit), `DELETE /__sandbox/faults` clears them. Users are changed through
 * Okta's own API (POST /api/v1/users/{id}, lifecycle), which the directory speaks already.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DirectoryFault } from './directory-types.js'
import { oktaErrorBody, sendJson } from './directory-http.js'

export interface HookTarget {
  inject: (fault: DirectoryFault) => void
  clear: () => void
}

function parseFault (v: unknown): DirectoryFault | undefined {
  if (v === null || typeof v !== 'object') return undefined
  const f = v as Record<string, unknown>
  const count = f['count'] ?? 1
  const path = f['path']
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) return undefined
  if (path !== undefined && typeof path !== 'string') return undefined
  const where = path === undefined ? {} : { path }
  const kind = f['kind'] ?? 'status'
  const status = f['status']
  if (kind === 'status' && typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599) return { kind, status, count, ...where }
  const reset = f['resetInSec'] ?? 60
  if (kind === 'rate-limit' && typeof reset === 'number' && reset > 0) return { kind, count, resetInSec: reset, ...where }
  return undefined
}

/** Answers a /__sandbox/ request (the caller has checked the token). */
export async function handleDirectoryHook (req: IncomingMessage, res: ServerResponse, target: HookTarget): Promise<void> {
  const route = `${req.method ?? 'GET'} ${new URL(req.url ?? '/', 'http://directory').pathname}`
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  if (route === 'DELETE /__sandbox/faults') { target.clear(); return sendJson(res, 200, { cleared: true }) }
  if (route !== 'POST /__sandbox/faults') return sendJson(res, 404, oktaErrorBody(404, `Not found: no sandbox hook ${route}`))
  let body: unknown
  try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')) } catch { body = undefined }
  const fault = parseFault(body)
  if (fault === undefined) {
    return sendJson(res, 400, oktaErrorBody(400, 'Expected {"status":401,"count":1,"path"?:"/api/v1/users"} or {"kind":"rate-limit","count":1,"resetInSec":60,"path"?:…}'))
  }
  target.inject(fault)
  sendJson(res, 200, { queued: fault })
}
