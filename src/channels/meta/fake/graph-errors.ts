// Graph API error envelopes every Meta product answers with (channels.md §A.4.8, §B.3.1), so a client
// under test sees the same `code`, `type`, subcode and `fbtrace_id` it would in production.
import { randomBytes } from 'node:crypto';

export interface GraphErrorObject {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  error_data?: { messaging_product?: 'whatsapp'; details: string };
  fbtrace_id: string;
}

export interface GraphErrorAnswer {
  status: number;
  body: { error: GraphErrorObject };
}

/** A trace id shaped like Meta's (logged by clients, asked for by Meta support). */
export function fbtraceId(): string {
  return `A${randomBytes(16).toString('base64url').slice(0, 22)}`;
}

/** Meta's answer to a token it cannot use: code 190, no error_data, HTTP 401. */
export function invalidTokenError(status = 401): GraphErrorAnswer {
  return {
    status,
    body: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: fbtraceId() } },
  };
}

/** A request without any bearer token. */
export function missingTokenError(): GraphErrorAnswer {
  return { status: 400, body: { error: { message: 'An access token is required to request this resource.', type: 'OAuthException', code: 104, fbtrace_id: fbtraceId() } } };
}

/** An id the token cannot see (or that does not exist): Graph's generic code 100, subcode 33. */
export function unknownObjectError(id: string, method: string): GraphErrorAnswer {
  return {
    status: 400,
    body: {
      error: {
        message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
        type: 'GraphMethodException',
        code: 100,
        error_subcode: 33,
        fbtrace_id: fbtraceId(),
      },
    },
  };
}

/** A path Graph does not know. */
export function unknownPathError(path: string): GraphErrorAnswer {
  return { status: 400, body: { error: { message: `Unknown path components: ${path}`, type: 'OAuthException', code: 2500, fbtrace_id: fbtraceId() } } };
}
