/**
 * Whether a proposed identity link may be stored: the provider must know the user (a typo would
 * otherwise point a real Enerflo user at nobody, and a later 404 at it), and the Enerflo user must
 * not already belong to another identity of the same source. Used by the link route and the bulk
 * import, which checks every row (with a little concurrency) before it stores any.
 */
import type { ProviderSource } from './provider.js'

export type LinkVerdict =
  | { ok: true }
  | { ok: false, status: 404 | 409 | 502, reason: string }

export interface LinkCheckDeps {
  providers: Partial<Record<string, ProviderSource>>
  linkHolder: (source: string, enerfloId: number) => Promise<string | undefined>
}

export async function checkLink (deps: LinkCheckDeps, source: string, idpUserId: string, enerfloUserId: number): Promise<LinkVerdict> {
  const key = `${source}:${idpUserId}`
  const provider = deps.providers[source]
  if (provider === undefined) return { ok: false, status: 404, reason: `source ${source} is not configured on this instance` }
  const holder = await deps.linkHolder(source, enerfloUserId)
  if (holder !== undefined && holder !== key) {
    return { ok: false, status: 409, reason: `Enerflo user ${enerfloUserId} is already linked to ${holder}: unlink that first (one Enerflo user has one identity per source)` }
  }
  let gone: boolean
  try {
    gone = (await provider.fetchDesired(idpUserId)).gone
  } catch (err) {
    return { ok: false, status: 502, reason: `could not ask ${source} about ${idpUserId}: ${(err as Error).message}; nothing stored, try again` }
  }
  if (gone) return { ok: false, status: 404, reason: `${source} does not know user ${idpUserId}: check the id (nothing stored)` }
  return { ok: true }
}

/** Runs `fn` over items with at most `limit` at once, keeping the order of the results. */
export async function mapLimited<T, R> (items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return out
}
