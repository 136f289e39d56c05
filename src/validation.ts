/**
 * Request validation with two Ajv instances: URL parts (querystring, params, headers) arrive as
 * text and are coerced to the schema's types (`?limit=10`); bodies are JSON and are not, so a
 * number where a string belongs is a 400, not silently turned into text.
 */
import { Ajv, type Options } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

const base: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false }

function make (coerceTypes: boolean | 'array'): Ajv {
  const ajv = new Ajv({ ...base, coerceTypes })
  addFormats.default(ajv)
  return ajv
}

export function validatorCompiler (): FastifySchemaCompiler<unknown> {
  const forUrl = make('array')
  const forBody = make(false)
  return ({ schema, httpPart }) => (httpPart === 'body' ? forBody : forUrl).compile(schema as object)
}
