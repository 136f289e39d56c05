/**
 * `links`: the stored identity links, as a table or, with --csv, in exactly the format
 * `import-links` reads, so `links --csv > links.csv` can be reviewed, edited and imported back.
 */
import { str, wholeNumber } from './args.js'
import { count, table } from './format.js'
import { UsageError, type Command } from './types.js'

interface LinksPage { total: number, links: Array<{ source: string, idpUserId: string, enerfloUserId: number, userKey: string }> }

export const linksCommand: Command = {
  name: 'links',
  args: '',
  summary: 'List identity links (provider user → Enerflo user); --csv prints the import format.',
  details: [
    'Round trip: links --csv > links.csv, edit it, then import-links links.csv --dry-run.',
    '--csv prints every link unless --limit is given; the table shows 50 at a time.'
  ],
  options: {
    source: { type: 'string', value: '<source>', description: 'only this source: okta, graph or scim' },
    csv: { type: 'boolean', description: 'CSV: source,idp_user_id,enerflo_user_id (what import-links takes)' },
    offset: { type: 'string', value: '<n>', description: 'skip this many (paging)' },
    limit: { type: 'string', value: '<n>', description: 'show at most this many' }
  },
  async run (ctx, _positionals, values) {
    const source = str(values, 'source')?.toLowerCase()
    if (source !== undefined && source !== 'okta' && source !== 'graph' && source !== 'scim') throw new UsageError(`--source must be okta, graph or scim (got ${JSON.stringify(source)})`)
    if (values.csv === true && ctx.json) throw new UsageError('--csv and --json are two formats: pick one')
    const query = { source, offset: wholeNumber(str(values, 'offset'), '--offset'), limit: wholeNumber(str(values, 'limit'), '--limit', 1) }
    if (values.csv === true) {
      const text = await ctx.api.call<string>('GET', '/ops/links', { query: { ...query, format: 'csv' }, accept: 'text/csv' })
      // Printed as the service sent it (out() adds the last newline back): the import reads it unchanged.
      ctx.out(text.replace(/\n$/, ''))
      return 0
    }
    const page = await ctx.api.call<LinksPage>('GET', '/ops/links', { query })
    if (ctx.json) { ctx.out(JSON.stringify(page, null, 2)); return 0 }
    if (page.links.length === 0) { ctx.out(page.total === 0 ? 'no identity links stored' : `none on this page (${page.total} in all)`); return 0 }
    ctx.out(table(['USER', 'SOURCE', 'IDP USER ID', 'ENERFLO USER'], page.links.map((l) => [l.userKey, l.source, l.idpUserId, l.enerfloUserId])))
    const from = query.offset ?? 0
    const to = from + page.links.length
    ctx.out(to < page.total ? `\n${to} of ${page.total}; next page: --offset ${to}` : `\n${count(page.total, 'link')}`)
    return 0
  }
}
