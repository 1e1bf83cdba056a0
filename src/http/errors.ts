// One error shape for every failure: { "error": { "code", "message", "details"? } }, with design.md §2's statuses.
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isStoreUnavailable } from '../db/errors.js';
import { DomainError, type ErrorKind } from '../domain/errors.js';
import { newId } from '../lib/ids.js';

// A database restart or failover takes seconds; providers and clients come back after this.
const STORE_RETRY_AFTER_S = 5;

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  policy: 422,
  too_large: 413,
  unsupported_media: 415,
  rate_limited: 429,
};

/** Sends the error shape, with the request's id so a person reporting it can be found in the logs. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string, details?: unknown): FastifyReply {
  return reply.code(status).send({ error: { code, message, ...(details === undefined ? {} : { details }), requestId: reply.request.id } });
}

// A request id a reverse proxy (or a client) sent is kept when it is a plain token; otherwise one is made.
const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Fastify's `genReqId`: the request's X-Request-Id when usable, else a new time-ordered id. */
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
}

// Fastify's own request errors that mean "the client sent something unusable".
const BAD_REQUEST_CODES: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_JSON', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'INVALID_JSON', message: 'The request body is empty but JSON was announced.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', message: 'The request body is larger than this endpoint accepts.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the request body as application/json.' },
};

// Errors Fastify's router answers itself, before any route or error handler runs.
const FRAMEWORK_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_BAD_URL: { status: 400, code: 'BAD_URL', message: 'The request URL is not valid (a malformed percent-encoding?).' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'URL_TOO_LONG', message: 'A part of the request URL is longer than this server accepts.' },
};

/**
 * Fastify's `frameworkErrors` option: the router's own refusals (a bad URL, an over-long path segment)
 * in the error shape.
 */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
  if (known) {
    void sendError(reply, known.status, known.code, known.message);
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void sendError(reply, 500, 'INTERNAL', 'Something went wrong on our side; the error was logged.');
}

// What Node's HTTP parser refuses before Fastify sees a request, with Node's own statuses.
const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'HEADERS_TOO_LARGE', message: 'The request headers are larger than this server accepts.' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, code: 'BODY_TOO_LARGE', message: 'The request body is larger than this server accepts.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', message: 'The request was not received in time.' },
};
const MALFORMED_REQUEST = { status: 400, code: 'BAD_REQUEST', message: 'The request is not valid HTTP.' };

/**
 * Fastify's `clientErrorHandler` option: a request Node's HTTP parser refused (headers too large, a bad
 * request line, a timeout) answered in the error shape, then the connection closed. The raw packet is
 * never logged: it may carry cookies and tokens.
 */
export function handleClientError(this: FastifyInstance, error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, message } = CLIENT_ERRORS[error.code] ?? MALFORMED_REQUEST;
  this.log.debug({ code: error.code, status }, 'a request the HTTP parser refused');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  // Ended, then destroyed once the answer is flushed, so the client reads it before the connection goes.
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`, () => socket.destroy());
}

/** Installs the error and not-found handlers. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      const retryAfter = error.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
      return sendError(reply, STATUS_BY_KIND[error.kind], error.code, error.message, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({ path: v.instancePath || '/', message: v.message }));
      return sendError(reply, 400, 'VALIDATION_FAILED', `The request is not valid: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}.`, { issues });
    }
    const known = error.code ? BAD_REQUEST_CODES[error.code] : undefined;
    if (known) return sendError(reply, 400, known.code, known.message);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return sendError(reply, error.statusCode, 'BAD_REQUEST', error.message);
    if (isStoreUnavailable(error)) {
      request.log.warn({ err: error }, 'the store is unavailable; answered 503');
      reply.header('retry-after', String(STORE_RETRY_AFTER_S));
      return sendError(reply, 503, 'STORE_UNAVAILABLE', 'The database is not answering right now; nothing was changed. Try again in a few seconds.');
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'INTERNAL', 'Something went wrong on our side; the error was logged.');
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'NOT_FOUND', `There is no ${request.method} ${request.url.split('?')[0]}.`));
}
