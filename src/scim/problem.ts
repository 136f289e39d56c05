/**
 * The SCIM error: what a core function answers when a request cannot be applied (status, the RFC
 * 7644 §3.12 `scimType` and a detail for a person), and its wire form, the Error message with the
 * status as a string.
 */
import { ERROR_SCHEMA } from './schema.js'

export type ScimType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive'

export interface ScimProblem {
  status: 400 | 404 | 409 | 413
  scimType?: ScimType
  detail: string
}

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA]
  status: string
  scimType?: string
  detail: string
}

export function scimError (p: ScimProblem): ScimErrorBody {
  const out: ScimErrorBody = { schemas: [ERROR_SCHEMA], status: String(p.status), detail: p.detail }
  if (p.scimType !== undefined) out.scimType = p.scimType
  return out
}

/** A 400 with its scimType: the shape every body reader fails with. */
export function badRequest (scimType: ScimType, detail: string): { ok: false, problem: ScimProblem } {
  return { ok: false, problem: { status: 400, scimType, detail } }
}
