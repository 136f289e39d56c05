/**
 * Paging helpers: the rel="next" target of a Link header (RFC 8288), as Okta pages, and a loop
 * that follows next-page links until they end, refusing one that comes back or never ends.
 */

/** The rel="next" URL of a Link header, resolved against the current page. */
export function nextLink (header: string | undefined, current: string): string | undefined {
  if (header === undefined) return undefined
  for (const value of header.split(/,\s*(?=<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/s.exec(value)
    if (m === null) continue
    const rel = (m[2] ?? '').split(';').map((p) => p.trim()).find((p) => /^rel\s*=/i.test(p))
    const rels = rel?.replace(/^rel\s*=\s*/i, '').replace(/^"|"$/g, '').toLowerCase().split(/\s+/) ?? []
    if (rels.includes('next')) return new URL(m[1] ?? '', current).href
  }
  return undefined
}

/**
 * Calls `page` with `first`, then with each next link it returns, until it returns none. A link
 * seen before, or more than `maxPages` pages, throws `endless()`: a broken pager must fail the job,
 * not spin it.
 */
export async function followPages (first: string, maxPages: number, endless: () => Error, page: (url: string) => Promise<string | undefined>): Promise<void> {
  const seen = new Set<string>()
  let url: string | undefined = first
  while (url !== undefined) {
    if (seen.has(url) || seen.size >= maxPages) throw endless()
    seen.add(url)
    url = await page(url)
  }
}
