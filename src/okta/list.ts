/**
 * Okta's list reads for reconciliation: users (200 a page, optionally filtered), groups by name,
 * and a group's members, each following `Link: rel="next"` to the end. Rows are handed on as Okta
 * sent them, page by page: the pass checks each row itself, so one bad row is skipped with a
 * reason instead of failing the whole page. The first answer's Date is Okta's clock, which is
 * what a lastUpdated watermark must be read against (ours may be skewed).
 */
import { UpstreamError } from '../errors.js'
import { idSegment } from '../sync/user-id.js'
import { isObject } from '../http/body.js'
import type { Answer } from '../http/exchange.js'
import { followPages, nextLink } from '../http/link-header.js'
import { unexpectedAnswer } from '../http/errors.js'

export type OktaGet = (url: string, what: string) => Promise<Answer>

export interface OktaPage {
  rows: unknown[]
  /** The answer's headers (Date, X-Rate-Limit-*). */
  headers: Record<string, string>
}

export interface OktaLists {
  /** Every user (or those `filter` selects), a page at a time. */
  listUsers: (opts: { filter?: string, limit?: number }, onPage: (page: OktaPage) => Promise<void>) => Promise<void>
  /** The groups whose name is exactly `name` (Okta's `q` is a prefix search). */
  findGroups: (name: string) => Promise<Array<{ id: string, name: string }>>
  /** The ids of the group's members; null when Okta has no such group. */
  listGroupMembers: (groupId: string, onPage?: (page: OktaPage) => void) => Promise<string[] | null>
}

const MAX_PAGES = 10_000

export function createOktaLists (get: OktaGet, origin: string): OktaLists {
  const unexpected = (answer: Answer | undefined, what: string): UpstreamError => unexpectedAnswer('OKTA_HTTP', 'Okta', answer, what)

  async function pages (first: string, what: string, onPage: (answer: Answer, rows: unknown[]) => Promise<void> | void): Promise<void> {
    await followPages(first, MAX_PAGES, () => unexpected(undefined, `${what}: the pages do not end`), async (url) => {
      const answer = await get(url, what)
      if (!Array.isArray(answer.body)) throw unexpected(answer, what)
      await onPage(answer, answer.body as unknown[])
      const next = nextLink(answer.headers['link'], url)
      // The token goes with every request: never follow a link off the org.
      if (next !== undefined && new URL(next).origin !== origin) throw unexpected(answer, `${what}: the next page is on another host`)
      return next
    })
  }

  return {
    async listUsers (opts, onPage) {
      const q = new URLSearchParams({ limit: String(opts.limit ?? 200) })
      if (opts.filter !== undefined) q.set('filter', opts.filter)
      await pages(`${origin}/api/v1/users?${q.toString()}`, 'for GET users', async (answer, rows) => { await onPage({ rows, headers: answer.headers }) })
    },

    async findGroups (name) {
      const out: Array<{ id: string, name: string }> = []
      await pages(`${origin}/api/v1/groups?${new URLSearchParams({ q: name, limit: '200' }).toString()}`, 'for GET groups', (_answer, rows) => {
        for (const g of rows) {
          if (isObject(g) && typeof g['id'] === 'string' && isObject(g['profile']) && g['profile']['name'] === name) out.push({ id: g['id'], name })
        }
      })
      return out
    },

    async listGroupMembers (groupId, onPage) {
      const ids: string[] = []
      try {
        await pages(`${origin}/api/v1/groups/${idSegment(groupId)}/users?limit=1000`, 'for GET group members', (answer, rows) => {
          for (const u of rows) if (isObject(u) && typeof u['id'] === 'string') ids.push(u['id'])
          onPage?.({ rows, headers: answer.headers })
        })
      } catch (err) {
        // Deleted since it was found by name: no members to give, and not a reason to fail.
        if (err instanceof UpstreamError && err.status === 404 && isObject(err.body) && err.body['errorCode'] === 'E0000007') return null
        throw err
      }
      return ids
    }
  }
}
