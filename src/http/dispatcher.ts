/**
 * The connection pool a client sends through: the one it was given (shared, and left open when the
 * client closes) or one of its own (closed with it).
 */
import { Agent, type Dispatcher } from 'undici'

export interface Pool {
  dispatcher: Dispatcher
  close: () => Promise<void>
}

export function usePool (given: Dispatcher | undefined, options: Agent.Options = {}): Pool {
  if (given !== undefined) return { dispatcher: given, close: async () => {} }
  const own = new Agent(options)
  return { dispatcher: own, close: async () => { await own.close() } }
}
