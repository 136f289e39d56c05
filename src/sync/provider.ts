/**
 * A source of truth for users (Okta, Graph): given a provider user id, what Enerflo should hold now.
 */
import type { MappingResult } from '../mapping/types.js'
import type { Source } from './source.js'

export interface FetchedUser {
  /** The provider no longer has the user (deleted): only a linked Enerflo user is touched. */
  gone: boolean
  result: MappingResult
}

export interface ProviderSource {
  readonly source: Source
  fetchDesired: (userId: string) => Promise<FetchedUser>
}
