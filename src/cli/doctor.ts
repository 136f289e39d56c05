/**
 * `doctor`: asks the service to check every configured credential now (POST /ops/doctor) and
 * prints each check with what to do. Exit 1 when any fails, so a deploy script can stop on it.
 */
import type { Command } from './types.js'

interface Check { name: string, ok: boolean, checkedAt: string, code?: string, status?: number, blocking: boolean, fix: string }

export function renderDoctor (checks: Check[]): string {
  const width = Math.max(0, ...checks.map((c) => c.name.length))
  const lines = checks.map((c) => {
    const head = `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}`
    if (c.ok) return `${head}  checked ${c.checkedAt}`
    const got = `${c.code ?? 'error'}${c.status === undefined ? '' : c.status === 0 ? ', no answer' : ` ${c.status}`}`
    return `${head}  ${got}${c.blocking ? ' (events wait until it is fixed)' : ''}\n    fix: ${c.fix}`
  })
  const failed = checks.filter((c) => !c.ok).length
  return [...lines, '', failed === 0 ? 'every credential works' : `${failed} of ${checks.length} credential check(s) failed`].join('\n')
}

export const doctorCommand: Command = {
  name: 'doctor',
  args: '',
  summary: 'Check every configured credential (Okta, Entra, Enerflo) now and print each with its fix.',
  details: ['Exit code 1 when any check fails. A passing run also wakes events held while a credential was bad.'],
  async run (ctx) {
    const reply = await ctx.api.call<{ ok: boolean, checks: Check[] }>('POST', '/ops/doctor')
    ctx.out(ctx.json ? JSON.stringify(reply, null, 2) : renderDoctor(reply.checks))
    return reply.ok ? 0 : 1
  }
}
