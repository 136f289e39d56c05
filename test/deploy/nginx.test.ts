import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const run = promisify(execFile)
const CONF = join(import.meta.dirname, '..', '..', 'docs', 'deploy', 'nginx.conf')
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p))
const inCi = !['', '0', 'false'].includes((process.env['CI'] ?? '').toLowerCase())

t.test('the README\'s reverse-proxy example: only /webhooks/ and /scim/v2/ are public', async (t) => {
  const conf = readFileSync(CONF, 'utf8')
  t.match(conf, /location \/webhooks\/ \{\n\s+proxy_pass/, 'the receivers are proxied')
  t.match(conf, /location \/scim\/v2\/ \{\n\s+proxy_pass/, 'the SCIM server is proxied')
  const open = [...conf.matchAll(/location ([^{]+)\{\n\s+proxy_pass/g)].map((m) => (m[1] ?? '').trim())
  t.same(open, ['/webhooks/', '/scim/v2/'], 'nothing else is proxied without an allow list')
  t.match(conf, /location ~ \^\/\(ops\|status\|docs\|metrics\)\(\/\|\$\) \{\n(\s+allow [^\n]+\n)+\s+deny all;/, 'operator surfaces only from allowed addresses')
  t.match(conf, /location \/ \{\n\s+return 404;/, 'everything else is not found')
  t.match(conf, /listen 443 ssl/, 'TLS ends here')
})

// Outside CI a machine without nginx skips the check, saying why; in CI it must run.
const skip = NGINX === undefined && !inCi ? 'nginx is not installed here (apt-get install nginx); the syntax check needs it' : false
t.test('nginx -t accepts the example', { skip }, async (t) => {
  if (NGINX === undefined) {
    t.fail('CI, but no nginx binary: .ci/run installs Debian\'s nginx')
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'nginx-'))
  // Throwaway certificate paths and a self-contained main config around the example.
  const body = readFileSync(CONF, 'utf8')
    .replace('/etc/ssl/certs/sync.example.com.pem', join(dir, 'cert.pem'))
    .replace('/etc/ssl/private/sync.example.com.key', join(dir, 'key.pem'))
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=sync.example.com', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')])
  writeFileSync(join(dir, 'site.conf'), body)
  writeFileSync(join(dir, 'main.conf'), `pid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')};\nevents {}\nhttp {\n  access_log off;\n  include ${join(dir, 'site.conf')};\n}\n`)
  const out = await run(NGINX, ['-t', '-p', dir, '-c', join(dir, 'main.conf')]).then((r) => r.stderr, (err: { stderr?: string }) => { throw new Error(err.stderr ?? String(err)) })
  t.match(out, /syntax is ok/)
  t.match(out, /test is successful/)
})
