/**
 * Logger options shared by the app and the process: pino, with secrets redacted by path and
 * email addresses and phone numbers scrubbed from whatever text reaches a log line (an upstream's
 * error message can quote them).
 */
import type { LoggerOptions } from 'pino'

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
// North American shapes (what this service handles): 555-555-5555, (555) 555-5555, +1 555 555 5555,
// 5555555555. Not IP addresses, ports or longer ids.
const PHONE = /(?<![\w.:])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}(?![\w.:])/g

export function scrub (text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]')
}

function scrubValue (value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrub(value)
  if (depth > 4 || value === null || typeof value !== 'object') return value
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
    formatters: {
      log: (object) => scrubValue(object, 0) as Record<string, unknown>
    },
    hooks: {
      logMethod (args, method) {
        // The message itself (the last string argument) is scrubbed too.
        const scrubbed = args.map((a) => typeof a === 'string' ? scrub(a) : a) as typeof args
        method.apply(this, scrubbed)
      }
    }
  }
}
