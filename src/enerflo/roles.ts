/**
 * Enerflo's two spellings of a role: reads (GET /api/v3/users) return Role *slugs*, writes
 * (PUT /api/v3/users, POST /api/v1/users) take Role *Names* and refuse a slug with 400 "Invalid
 * role name" (FACTS.md §1). The table between them is configuration: these defaults, which a
 * mapping file's `roleSlugs` may override or extend per slug.
 */

/** Slug → Role Name. */
export type RoleSlugTable = Readonly<Record<string, string>>

/**
 * The defaults. The first five pairs were seen working against a real tenant (NOX:
 * src/lib/enerflo/ensure-user-roles.ts); the rest are slugs seen in the same code with names
 * guessed from Enerflo's legacy role descriptions or from the slug itself: unverified.
 */
export const DEFAULT_ROLE_SLUGS: RoleSlugTable = Object.freeze({
  agent: 'Sales Rep',
  setter: 'Setter',
  manager: 'Sales Rep Manager',
  regionalmanager: 'Regional Manager',
  company: 'Company Admin',
  // Unverified: "Super Admin" is the legacy admin name (intercom: user-role-descriptions-legacy).
  supercompany: 'Super Admin',
  // Unverified: legacy admin name "Office Admin".
  officeadmin: 'Office Admin',
  // Unverified: Enerflo's docs speak of "the Project Manager role" on installs.
  projectmanager: 'Project Manager',
  // Unverified below: names guessed from the slugs.
  callcenter: 'Call Center',
  callcentermanager: 'Call Center Manager',
  dealapproval: 'Deal Approval',
  ops: 'Operations',
  scheduler: 'Scheduler',
  sitesurveyor: 'Site Surveyor',
  solardesigns: 'Solar Designs',
  solarinstaller: 'Solar Installer',
  subcontractor: 'Subcontractor',
  surveyor: 'Surveyor'
})

/**
 * Slugs Enerflo keeps whatever a PUT sends, and refuses to be sent: the service must never put
 * them in `roles`, and must not read their absence from a PUT as a removal.
 */
export const ENERFLO_KEPT_ROLES: readonly string[] = Object.freeze(['supercompany', 'company'])

/** The defaults with `overrides` laid over them, slug by slug. */
export function roleSlugTable (overrides?: RoleSlugTable): RoleSlugTable {
  return Object.freeze({ ...DEFAULT_ROLE_SLUGS, ...overrides })
}

// Slugs seen are lower-case; a stray space or capital from a hand-edited tenant is still the slug.
const foldSlug = (slug: string): string => slug.trim().toLowerCase()

/** The Role Name of a slug, or undefined when the table does not know it. */
export function slugToName (slug: string, table: RoleSlugTable = DEFAULT_ROLE_SLUGS): string | undefined {
  const key = foldSlug(slug)
  return Object.hasOwn(table, key) ? table[key] : undefined
}

/** The slug of a Role Name (exact, as Enerflo's names are), or undefined when the table has none. */
export function nameToSlug (name: string, table: RoleSlugTable = DEFAULT_ROLE_SLUGS): string | undefined {
  return Object.keys(table).find((slug) => table[slug] === name)
}

/** The Role Names of ENERFLO_KEPT_ROLES under `table`. */
export function keptRoleNames (table: RoleSlugTable = DEFAULT_ROLE_SLUGS): string[] {
  return ENERFLO_KEPT_ROLES.map((slug) => slugToName(slug, table) ?? slug)
}

export interface EnerfloRoles {
  /** Role Names in Enerflo's order, without repeats; an unknown slug is kept as it came. */
  roles: string[]
  /** The slugs the table does not know, so a caller can report them. */
  unknown: string[]
}

/** Reads a user's `roles` as GET returns it: an array of slugs or one comma-separated string. */
export function rolesFromEnerflo (value: readonly string[] | string, table: RoleSlugTable = DEFAULT_ROLE_SLUGS): EnerfloRoles {
  const parts = typeof value === 'string' ? value.split(',') : value
  const roles: string[] = []
  const unknown: string[] = []
  for (const part of parts) {
    const slug = part.trim()
    if (slug === '') continue
    const name = slugToName(slug, table)
    if (name === undefined && !unknown.includes(slug)) unknown.push(slug)
    const role = name ?? slug
    if (!roles.includes(role)) roles.push(role)
  }
  return { roles, unknown }
}

/**
 * What is wrong with a mapping file's `roleSlugs` (slug → Role Name) as JSON-pointer-style
 * problems: a key that cannot be a slug, or a name that two slugs of the resulting table share
 * (then a Role Name read back from Enerflo would not say which slug it was).
 */
export function roleSlugProblems (overrides: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = []
  const names: Record<string, string> = {}
  for (const [slug, name] of Object.entries(overrides)) {
    if (!/^[a-z0-9_]+$/.test(slug)) {
      problems.push(`/roleSlugs/${slug}: ${JSON.stringify(slug)} is not a Role slug (lower-case letters and digits, like "regionalmanager")`)
    } else if (typeof name === 'string') names[slug] = name
  }
  const table = roleSlugTable(names)
  for (const [slug, name] of Object.entries(names)) {
    const other = Object.keys(table).find((s) => s !== slug && table[s] === name)
    if (other !== undefined) {
      problems.push(`/roleSlugs/${slug}: the Role Name ${JSON.stringify(name)} is also the name of slug ${JSON.stringify(other)}; ` +
        'give each slug its own name (override that slug too)')
    }
  }
  return problems
}
