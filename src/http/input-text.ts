// Text people send through the API is stored as they wrote it, so it must be storable as it is: the same
// on SQLite and PostgreSQL, whose text cannot hold U+0000. A NUL anywhere in a request's path parameters,
// query or JSON body (values and keys) is refused with 400 VALIDATION_FAILED naming the field, before any
// handler runs, so nothing changes. (Provider text is cleaned instead: domain/storable-text.ts.)
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';

const NUL = '\u0000';

/** The JSON-pointer path of the first key or string holding a NUL in `value`, or null. */
function pathToNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path || '/' : null;
  if (value === null || typeof value !== 'object' || depth > 64 || Buffer.isBuffer(value)) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (key.includes(NUL)) return at;
    const found = pathToNul(item, at, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Refuses a request whose params, query or body hold a NUL character. */
export function refuseNulInput(request: FastifyRequest): void {
  for (const [location, value] of [
    ['params', request.params],
    ['query', request.query],
    // Raw bodies (a forwarded email, a provider webhook) are bytes, not people's text: not looked into.
    ['body', typeof request.body === 'object' ? request.body : undefined],
  ] as const) {
    const path = pathToNul(value, '');
    if (path) {
      const message = `${location} ${path} holds a NUL character (U+0000), which text cannot contain.`;
      throw new DomainError({ code: 'VALIDATION_FAILED', message: `The request is not valid: ${message}`, details: { issues: [{ in: location, path, message }] } });
    }
  }
}

/** Installs the NUL check on every API route (after the caller is known, before validation and handlers). */
export function installInputTextCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.url.startsWith('/api/')) refuseNulInput(request);
  });
}
