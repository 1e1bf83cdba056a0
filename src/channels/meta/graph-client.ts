// Calls to Meta's Graph API for one channel account (WhatsApp, Instagram): base URL and version from the
// channel's settings (a local fake in tests and the sandbox), the access token as a bearer, a timeout on every
// call, and Graph errors read by their numeric code (channels.md §A.5, §B.3), never by their wording. The base
// URL is admin-given: unless the account may reach private addresses, a call that would reach one is never
// sent (the token with it), and fails with PrivateAddressError.
import { outboundFetch, privateAddressRefusal } from '../../lib/outbound-guard.js';
import { parseStorableJson } from '../../domain/storable-text.js';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_API_VERSION = 'v23.0';
const DEFAULT_TIMEOUT_MS = 15_000;

export interface GraphAccount {
  baseUrl?: string;
  apiVersion?: string;
  accessToken: string;
  /** Sandbox fakes and PRIVATE_OUTBOUND_URLS=allow: calls may reach private and loopback addresses. */
  allowPrivateAddresses?: boolean;
}

/** A Graph API refusal: the HTTP status and Meta's error object. */
export class GraphError extends Error {
  readonly status: number;
  readonly code: number | null;
  readonly subcode: number | null;
  readonly title: string | null;
  readonly details: string | null;

  constructor(status: number, error: { code?: number; error_subcode?: number; message?: string; error_user_title?: string; error_data?: { details?: string } } | undefined) {
    super(error?.message ?? `Graph API answered ${status}`);
    this.name = 'GraphError';
    this.status = status;
    this.code = typeof error?.code === 'number' ? error.code : null;
    this.subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : null;
    this.title = error?.error_user_title ?? null;
    this.details = error?.error_data?.details ?? null;
  }
}

export interface GraphRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Path below the version, e.g. `/123456/messages`; or an absolute URL Graph handed out (media, paging). */
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  body?: FormData;
  timeoutMs?: number;
}

function urlOf(account: GraphAccount, request: GraphRequest): string {
  const url = /^https?:\/\//.test(request.path)
    ? new URL(request.path)
    : new URL(`${(account.baseUrl ?? DEFAULT_GRAPH_BASE_URL).replace(/\/$/, '')}/${account.apiVersion ?? DEFAULT_GRAPH_API_VERSION}${request.path}`);
  for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
  return url.toString();
}

async function call(account: GraphAccount, request: GraphRequest): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${account.accessToken}` };
  let body: string | FormData | undefined = request.body;
  if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  }
  return outboundFetch(
    urlOf(account, request),
    { method: request.method ?? (body ? 'POST' : 'GET'), headers, body, signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS) },
    { allowPrivate: account.allowPrivateAddresses === true },
  );
}

/** A JSON call; a non-2xx answer throws GraphError, a network failure or timeout throws as fetch does. */
export async function graphJson<T>(account: GraphAccount, request: GraphRequest): Promise<T> {
  const response = await call(account, request);
  const text = await response.text();
  let parsed: unknown = null;
  try {
    // What Graph answers (profile names, template texts, error texts) is provider text: made storable.
    parsed = text ? parseStorableJson(text) : null;
  } catch {
    // A proxy's HTML error page: keep the status, there is no Graph error object.
  }
  if (!response.ok) throw new GraphError(response.status, (parsed as { error?: ConstructorParameters<typeof GraphError>[1] } | null)?.error);
  return parsed as T;
}

/** Downloads bytes (media) with the token; a non-2xx answer throws GraphError. */
export async function graphBytes(account: GraphAccount, request: GraphRequest): Promise<{ bytes: Buffer; contentType: string | null }> {
  const response = await call(account, request);
  if (!response.ok) {
    const text = await response.text();
    let error;
    try {
      error = JSON.parse(text).error;
    } catch {
      error = undefined;
    }
    throw new GraphError(response.status, error);
  }
  return { bytes: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
}

/**
 * A call that got no Graph answer: a timeout or network failure is always worth trying again; a base URL
 * leading to a private address is not (nothing was sent; an admin must change the channel's settings).
 */
export function transportFailure(error: unknown, product: string): { ok: false; retryable: boolean; code: string; message: string } {
  const refused = privateAddressRefusal(error);
  if (refused) return { ok: false, retryable: false, code: 'URL_NOT_ALLOWED', message: `${product} was not called: ${refused.message}` };
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  return timedOut
    ? { ok: false, retryable: true, code: 'TIMEOUT', message: `${product} did not answer in time; the message will be tried again.` }
    : { ok: false, retryable: true, code: 'NETWORK_ERROR', message: `${product} could not be reached (${error instanceof Error ? error.message : String(error)}); the message will be tried again.` };
}
