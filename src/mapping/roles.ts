/**
 * Enerflo Role Names. Enerflo's "Update a User" takes Role *Names* (as shown in its UI), not
 * slugs, so the mapping file is checked against these at start rather than failing user by user.
 */

/**
 * The Role Names a mapping file may use unless its `knownRoles` replaces this list. Sources
 * (FACTS.md §1): "Sales Rep", "Setter", "Sales Rep Manager", "Regional Manager" and "Company
 * Admin" were seen working on PUT (NOX ensure-user-roles; "Sales Manager", shipped before, was
 * never seen and is probably wrong); "Super Admin", "Office Admin" are Enerflo's legacy admin
 * names (its help centre's role descriptions); "Project Manager" is the role Enerflo's "Update a
 * User" docs name for install contacts. Their slugs are in src/enerflo/roles.ts.
 */
export const DEFAULT_ROLE_NAMES: readonly string[] = Object.freeze([
  'Super Admin',
  'Company Admin',
  'Office Admin',
  'Regional Manager',
  'Sales Rep Manager',
  'Sales Rep',
  'Setter',
  'Project Manager'
])

/** The role that receives every office in `office_ids`, not only the first. */
export const MULTI_OFFICE_ROLE = 'Regional Manager'

/** Folds case, separators and spacing so `sales_rep`, `Sales-Rep` and `sales rep` compare equal. */
function fold (name: string): string {
  return name.trim().toLowerCase().replace(/[\s_\-.]+/g, ' ')
}

/**
 * The known Role Name an unknown name most likely meant (a slug, or a case or spacing variant),
 * or undefined when nothing is close enough to suggest.
 */
export function suggestRoleName (name: string, known: readonly string[]): string | undefined {
  const folded = fold(name)
  return known.find((k) => fold(k) === folded)
}

/** Why a name is not a known Role Name, with the name it probably meant when there is one. */
export function describeUnknownRole (role: string, known: readonly string[]): string {
  const meant = suggestRoleName(role, known)
  const list = `known Role Names: ${known.map((k) => JSON.stringify(k)).join(', ')}`
  if (meant === undefined) {
    return `unknown Role Name ${JSON.stringify(role)} (${list}; ` +
      'list other names your Enerflo company uses in "knownRoles")'
  }
  const hint = /[_-]/.test(role)
    ? `use the Role Name ${JSON.stringify(meant)}, not the slug`
    : `Role Names are exact: use ${JSON.stringify(meant)}`
  return `unknown Role Name ${JSON.stringify(role)}: ${hint} (${list})`
}
