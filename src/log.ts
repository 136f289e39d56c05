/**
 * Logger options shared by the app and the process: pino, with secrets redacted by path and
 * email addresses and phone numbers scrubbed from whatever text reaches a log line (an upstream's
 * error message can quote them), request URLs included (an operator may address a user by email,
 * or put a token in a query string).
 */
import pino, { type LoggerOptions } from 'pino'
import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions } from 'pino'

export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
// North American shapes (what this service handles): 555-555-5555, (555) 555-5555, +1 555 555 5555,
// 5555555555. Not IP addresses, ports or longer ids.
export const PHONE = /(?<![\w.:])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}(?![\w.:])/g

export function scrub (text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]')
}

// Query parameters whose value is a credential whatever it looks like.
const SECRET_PARAM = /token|secret|key|pass|auth|state|sig/i

/** Percent-escapes decoded where they decode, so `a%40b.com` is seen as the address it is. */
function decodeEscapes (text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (m) => { try { return decodeURIComponent(m) } catch { return m } })
}

/** A request URL fit for a log line: credential-named query values redacted, personal data scrubbed. */
export function scrubUrl (url: string): string {
  const q = url.indexOf('?')
  const query = q === -1
    ? ''
    : '?' + url.slice(q + 1).split('&').map((pair) => {
      const eq = pair.indexOf('=')
      return eq > 0 && SECRET_PARAM.test(decodeEscapes(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=[redacted]` : pair
    }).join('&')
  const kept = (q === -1 ? url : url.slice(0, q)) + query
  const decoded = decodeEscapes(kept)
  // Only an URL that held personal data is logged decoded (and scrubbed); others stay as sent.
  return scrub(decoded) === decoded ? kept : scrub(decoded)
}

/** An object of numbers, booleans and nulls only (most info lines): nothing in it to scrub. */
function onlyPlainScalars (value: object): boolean {
  if (Object.getPrototypeOf(value) !== Object.prototype) return false
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k]
    if (v !== null && v !== undefined && typeof v !== 'number' && typeof v !== 'boolean') return false
  }
  return true
}

function scrubValue (value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrub(value)
  if (value === null || typeof value !== 'object') return value
  // Raw bytes say nothing a reader needs and may hold anything (an HTTP parser error's rawPacket
  // is the request as received, its authorization header included).
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`
  if (depth > 4) {
    try { return scrub(JSON.stringify(value) ?? '') } catch { return '[unserialisable]' }
  }
  if (value instanceof Error) {
    // Same prototype, so pino's err serializer still names the error's type.
    const safe = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>
    return Object.assign(safe, scrubValue({ ...value }, depth), { message: scrub(value.message) },
      value.stack !== undefined && { stack: scrub(value.stack) }, value.cause !== undefined && { cause: scrubValue(value.cause, depth + 1) })
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    // Fastify's req/res go through pino's own serializers (method, url, status), after this hook.
    out[k] = depth === 0 && (k === 'req' || k === 'res') ? v : scrubValue(v, depth + 1)
  }
  return out
}

export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["api-key"]', 'headers.authorization', 'headers["api-key"]', '*.apiKey', '*.token', '*.secret'],
      censor: '[redacted]'
    },
    serializers: {
      // Errors are often logged as `{ name, message }` (never a whole upstream error with its body):
      // such an object still says what it is, and carries no empty stack.
      err: (e: unknown) => {
        if (e instanceof Error || e === null || typeof e !== 'object') return e instanceof Error ? pino.stdSerializers.err(e) : e
        const o = e as { name?: unknown, message?: unknown, code?: unknown }
        return { type: typeof o.name === 'string' ? o.name : 'Error', message: String(o.message ?? ''), ...(typeof o.code === 'string' && { code: o.code }) }
      },
      // As Fastify's own, with the URL made safe (req is not seen by the formatter below).
      req: (req: { method?: string, url?: string, host?: string, ip?: string, headers?: Record<string, unknown>, socket?: { remotePort?: number } }) => ({
        method: req.method,
        url: typeof req.url === 'string' ? scrubUrl(req.url) : req.url,
        version: req.headers?.['accept-version'],
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort
      })
    },
    formatters: {
      // Taken as it is when there is nothing to scrub: no copy on the hot path's lines.
      log: (object) => onlyPlainScalars(object) ? object : scrubValue(object, 0) as Record<string, unknown>
    },
    hooks: {
      logMethod (args, method) {
        // The message itself (the last string argument) is scrubbed too; the arguments are
        // copied only when scrubbing changed one.
        let out = args
        for (let i = 0; i < args.length; i++) {
          const a = args[i]
          if (typeof a !== 'string') continue
          const clean = scrub(a)
          if (clean === a) continue
          if (out === args) out = [...args] as typeof args
          out[i] = clean
        }
        method.apply(this, out)
      }
    }
  }
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type LogArgs = [obj: unknown, msg?: string, ...args: unknown[]]
/** What of pino this needs (Fastify's logger type does not say isLevelEnabled or bindings). */
interface PinoLike {
  level: string
  child: (bindings: Bindings, opts?: ChildLoggerOptions) => PinoLike
  isLevelEnabled: (level: string) => boolean
  bindings: () => Bindings
}

/**
 * A request's logger that becomes the real child (pino's, with the request id bound) only when a
 * line is written at a level that is on. Fastify builds a child logger for every request, and
 * pino serialises and redacts its bindings on the spot: about 5 µs of each webhook delivery's
 * CPU, for a logger that a delivery that goes well never writes to. Lines read exactly as before.
 */
class LazyChildLogger {
  private real: PinoLike | undefined
  constructor (private readonly parent: PinoLike, private readonly own: Bindings) {}
  private get logger (): PinoLike { return (this.real ??= this.parent.child(this.own)) }
  private write (level: Level, args: LogArgs): void {
    if (this.real === undefined && !this.parent.isLevelEnabled(level)) return
    ((this.logger as unknown as Record<Level, (...a: LogArgs) => void>)[level]).apply(this.logger, args)
  }

  get level (): string { return this.real?.level ?? this.parent.level }
  set level (level: string) { this.logger.level = level }
  isLevelEnabled (level: string): boolean { return (this.real ?? this.parent).isLevelEnabled(level) }
  fatal (...args: LogArgs): void { this.write('fatal', args) }
  error (...args: LogArgs): void { this.write('error', args) }
  warn (...args: LogArgs): void { this.write('warn', args) }
  info (...args: LogArgs): void { this.write('info', args) }
  debug (...args: LogArgs): void { this.write('debug', args) }
  trace (...args: LogArgs): void { this.write('trace', args) }
  silent (): void {}
  child (bindings: Bindings, opts?: ChildLoggerOptions): PinoLike { return this.logger.child(bindings, opts) }
  bindings (): Bindings { return this.logger.bindings() }
}

/**
 * Fastify's childLoggerFactory: the lazy logger above for pino, unless the route sets options of
 * its own (a route `logLevel`), and Fastify's own behaviour for any other logger (tests' no-op).
 */
export function lazyChildLogger (logger: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  const parent = logger as unknown as Partial<PinoLike>
  if (typeof parent.isLevelEnabled !== 'function' || Object.keys(opts).length > 0) return logger.child(bindings, opts)
  return new LazyChildLogger(parent as PinoLike, bindings) as unknown as FastifyBaseLogger
}
