/**
 * What to send: the fields of the desired state that differ from what was last applied. Sending
 * only those keeps requests inside Enerflo's budget and leaves fields we do not manage alone.
 */
import type { EnerfloUserFields } from './types.js'

type Field = keyof EnerfloUserFields

function sameValue (field: Field, a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false
    // Roles are a set; office_ids keep their order because the first is the primary office.
    const [x, y] = field === 'roles' ? [[...a].sort(), [...b].sort()] : [a, b]
    return x.every((v, i) => v === y[i])
  }
  return a === b
}

/** The fields of `desired` whose value differs from `applied`; `{}` when nothing changed. */
export function diffFields (desired: EnerfloUserFields, applied: EnerfloUserFields | undefined): EnerfloUserFields {
  const changes: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(desired) as Array<[Field, unknown]>) {
    // An explicit undefined is "not known", like an absent field.
    if (value === undefined) continue
    if (!sameValue(field, value, applied?.[field])) changes[field] = copy(value)
  }
  return changes as EnerfloUserFields
}

/** The applied state after Enerflo accepted `changes`. */
export function applyDiff (applied: EnerfloUserFields | undefined, changes: EnerfloUserFields): EnerfloUserFields {
  const next: Record<string, unknown> = {}
  for (const [field, value] of Object.entries({ ...applied, ...changes })) {
    if (value !== undefined) next[field] = copy(value)
  }
  return next as EnerfloUserFields
}

/** Arrays are copied so later edits to either state cannot change the other. */
function copy (value: unknown): unknown {
  return Array.isArray(value) ? [...value] : value
}
