import t from 'tap'
import { followPages, nextLink } from '../../src/http/link-header.js'

const page = 'https://org.example.com/api/v1/users/u/groups?limit=2'

t.test('nextLink: rel="next" among several links, resolved against the current page', async (t) => {
  t.equal(nextLink('<https://org.example.com/a?after=1>; rel="self", <https://org.example.com/a?after=2>; rel="next"', page), 'https://org.example.com/a?after=2')
  t.equal(nextLink('</api/v1/users/u/groups?after=x>; rel=next', page), 'https://org.example.com/api/v1/users/u/groups?after=x', 'relative, unquoted')
  t.equal(nextLink('<https://org.example.com/b>; title="a, b"; rel="prev next"', page), 'https://org.example.com/b', 'one of several rels')
  t.equal(nextLink('<https://org.example.com/a>; rel="self"', page), undefined)
  t.equal(nextLink('not a link', page), undefined)
  t.equal(nextLink(undefined, page), undefined)
})

t.test('followPages: every page until none is next; a repeat or too many pages fails', async (t) => {
  const seen: string[] = []
  await followPages('p1', 10, () => new Error('endless'), async (url) => {
    seen.push(url)
    return url === 'p3' ? undefined : `p${Number(url.slice(1)) + 1}`
  })
  t.same(seen, ['p1', 'p2', 'p3'])
  await t.rejects(followPages('p1', 10, () => new Error('endless'), async (url) => url === 'p1' ? 'p2' : 'p1'), /endless/, 'a link back to a page seen')
  let calls = 0
  await t.rejects(followPages('p0', 5, () => new Error('endless'), async (url) => { calls++; return `${url}+` }), /endless/)
  t.equal(calls, 5, 'stops at the page limit')
})
