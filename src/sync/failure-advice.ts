/**
 * What an operator does about a failed sync, from its code and reason: a reason key to group by
 * (finer than the code: Enerflo answers ENERFLO_REJECTED both for a wrong API key and for a role
 * it will not remove, and those need different people), a title, the action in words, and the
 * exact CLI command that runs the job again once the action is done. Pure: no I/O.
 */

/** How the README tells operators to run the CLI: this checkout's build, never a download. */
export const CLI = 'node dist/src/cli.js'

export interface Advice { reason: string, title: string, fix: string }

interface Rule { code: RegExp, text?: RegExp, advice: Advice }

const AFTER = 'then run the job again (below)'

const RULES: Rule[] = [
  { code: /^ENERFLO_/, text: /API key/i, advice: { reason: 'enerflo-api-key', title: 'Enerflo refused the API key', fix: `fix ENERFLO_API_KEY in the service's environment and restart the service; ${AFTER}` } },
  { code: /^ENERFLO_REJECTED$/, text: /has no user with id/i, advice: { reason: 'enerflo-no-such-user', title: 'Enerflo has no user with the linked id', fix: `set the right Enerflo user id at the identity provider, or store a link (${CLI} link <source> <idpUserId> <enerfloUserId>); ${AFTER}` } },
  { code: /^ENERFLO_REJECTED$/, text: /surveys or appointments/i, advice: { reason: 'enerflo-role-in-use', title: 'Enerflo will not remove a role that still has work attributed', fix: `reassign the user's surveys and appointments in Enerflo; ${AFTER}` } },
  { code: /^ENERFLO_REJECTED$/, text: /already taken/i, advice: { reason: 'enerflo-email-taken', title: 'The email is taken by another Enerflo user', fix: `free the email in Enerflo (another, possibly deleted, user holds it) or change it at the identity provider; ${AFTER}` } },
  { code: /^ENERFLO_REJECTED$/, text: /manager_email/i, advice: { reason: 'enerflo-manager', title: 'Enerflo does not know the manager', fix: `add the manager to Enerflo or correct the manager's email at the identity provider; ${AFTER}` } },
  { code: /^ENERFLO_REJECTED$/, text: /roles of user|role name/i, advice: { reason: 'enerflo-roles', title: 'Enerflo refused the roles', fix: `use Enerflo Role Names (not slugs) in the mapping file and restart the service; ${AFTER}` } },
  { code: /^ENERFLO_REJECTED$/, text: /office_ids/i, advice: { reason: 'enerflo-offices', title: 'Enerflo refused the office ids', fix: `correct the office ids in the mapping file and restart the service; ${AFTER}` } },
  { code: /^ENERFLO_REJECTED$/, text: /phone/i, advice: { reason: 'enerflo-phone', title: 'Enerflo refused the phone number', fix: `give the user a 10-digit North American phone number at the identity provider; ${AFTER}` } },
  { code: /^ENERFLO_REJECTED$/, advice: { reason: 'enerflo-rejected', title: 'Enerflo refused the update', fix: `change what Enerflo names at the identity provider (or in the mapping file); ${AFTER}` } },
  { code: /^ENERFLO_UNAVAILABLE$/, advice: { reason: 'enerflo-unavailable', title: 'Enerflo did not answer on any attempt', fix: `nothing to change here: once Enerflo answers again, ${AFTER}` } },
  { code: /^ENERFLO_/, advice: { reason: 'enerflo-url', title: 'Enerflo could not be called', fix: `check ENERFLO_BASE_URL and restart the service; ${AFTER}` } },
  { code: /^OKTA_/, text: /API token/i, advice: { reason: 'okta-token', title: 'Okta refused the API token', fix: `fix OKTA_API_TOKEN (it needs read access to users and groups) and restart the service; ${AFTER}` } },
  { code: /^OKTA_UNAVAILABLE$/, advice: { reason: 'okta-unavailable', title: 'Okta did not answer on any attempt', fix: `once Okta answers again, ${AFTER}` } },
  { code: /^OKTA_/, advice: { reason: 'okta-failed', title: 'Okta refused to give the user', fix: `check the user and OKTA_ORG_URL in Okta; ${AFTER}` } },
  { code: /^GRAPH_/, text: /refused the app|login endpoint|GRAPH_CLIENT/i, advice: { reason: 'graph-credentials', title: 'Entra ID refused the app', fix: `fix GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (with the permissions the README lists) and restart the service; ${AFTER}` } },
  { code: /^GRAPH_UNAVAILABLE$/, advice: { reason: 'graph-unavailable', title: 'Graph did not answer on any attempt', fix: `once Graph answers again, ${AFTER}` } },
  { code: /^GRAPH_/, advice: { reason: 'graph-failed', title: 'Graph refused to give the user', fix: `check the user in Entra ID; ${AFTER}` } },
  { code: /^MAPPING_/, advice: { reason: 'mapping', title: 'The mapping file does not fit', fix: `correct the mapping file as the reason says and restart the service; ${AFTER}` } }
]

const UNKNOWN: Advice = { reason: 'internal', title: 'Unexpected error in the service', fix: `search the service's log for the job id; ${AFTER}, and report it if it fails the same way` }

export function adviceFor (code: string, message: string): Advice {
  for (const rule of RULES) {
    if (rule.code.test(code) && (rule.text === undefined || rule.text.test(message))) return rule.advice
  }
  return UNKNOWN
}

/** The command that runs these dead letters again (a fresh job each: nothing stale is applied). */
export function retryCommand (jobIds: string[], code: string): string {
  // A long list of ids is unreadable at 3 am; the code selects the same jobs and maybe a few more,
  // which is harmless because a retried job re-reads the provider.
  return jobIds.length > 0 && jobIds.length <= 10 ? `${CLI} retry ${jobIds.join(' ')}` : `${CLI} retry --code ${code}`
}
