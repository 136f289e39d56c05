/**
 * Graph's users delta (FACTS.md §3): a round starts from the deltaLink the last round ended with
 * (or from `/users/delta?$select=…` for everyone), follows `@odata.nextLink` page by page and ends
 * with a new `@odata.deltaLink`. A token Graph no longer knows (400 `syncStateNotFound`, or 410
 * Gone) is not an error to retry: the caller starts over with a full round. Rows go to the caller
 * as Graph sent them, so one bad row is skipped there rather than failing the page.
 */
import { UpstreamError } from '../errors.js'
import { errorCode, isObject, unexpected, type Call } from './http.js'
import { followPages } from '../http/link-header.js'

export type DeltaRound = { deltaLink: string } | { expired: string }

export interface DeltaApi {
  /** One round of the users delta from `deltaLink` (undefined: from the start, every user). */
  users: (deltaLink: string | undefined, select: readonly string[], onPage: (rows: unknown[]) => Promise<void>) => Promise<DeltaRound>
}

const MAX_PAGES = 100_000
const what = 'for GET users delta'

/** Graph's "start over" answers to a delta token. */
function expiredBy (err: unknown): string | undefined {
  if (!(err instanceof UpstreamError)) return undefined
  if (err.status === 410) return 'Graph answered 410 Gone to the delta token'
  const code = errorCode(err.body)
  if (err.status === 400 && code !== undefined && /^syncStateNotFound$/i.test(code)) return 'Graph no longer knows the delta token (syncStateNotFound)'
  return undefined
}

export function createDeltaApi (call: Call): DeltaApi {
  return {
    async users (deltaLink, select, onPage) {
      const first = deltaLink ?? `/v1.0/users/delta?$select=${[...new Set(['id', ...select])].join(',')}`
      let last: string | undefined
      try {
        await followPages(first, MAX_PAGES, () => unexpected(undefined, `${what}: the pages do not end`), async (url) => {
          const answer = await call('GET', url, what)
          const body = answer.body
          if (!isObject(body) || !Array.isArray(body['value'])) throw unexpected(answer, what)
          await onPage(body['value'] as unknown[])
          const next = body['@odata.nextLink']
          const delta = body['@odata.deltaLink']
          if (typeof next === 'string' && next !== '') return next
          if (typeof delta !== 'string' || delta === '') throw unexpected(answer, `${what}: a last page without @odata.deltaLink`)
          last = delta
          return undefined
        })
      } catch (err) {
        const expired = expiredBy(err)
        if (expired !== undefined && deltaLink !== undefined) return { expired }
        throw err
      }
      return { deltaLink: last as string }
    }
  }
}
