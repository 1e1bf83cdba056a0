// Graph API error envelopes as Meta sends them (channels.md §A.4.8, §A.5.3), so a client under test
// sees the same `code`, `type`, `error_data.details` and `fbtrace_id` it would in production.
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

interface KnownError {
  title: string;
  details: string;
  status: number;
}

// Titles and details follow Meta's wording where channels.md has it; the HTTP statuses of the rate
// limits are not documented there (429 is what the brief and most SDKs expect), so tests that care
// about the status pass their own.
const KNOWN: Record<number, KnownError> = {
  100: { title: 'Invalid parameter', details: 'Invalid parameter', status: 400 },
  131000: { title: 'Something went wrong', details: 'Message failed to send due to an unknown error.', status: 500 },
  131008: { title: 'Required parameter is missing', details: 'A required parameter is missing.', status: 400 },
  131009: { title: 'Parameter value is not valid', details: 'One or more parameter values are invalid.', status: 400 },
  131016: { title: 'Service unavailable', details: 'A service is temporarily unavailable.', status: 503 },
  131026: { title: 'Message Undeliverable', details: 'Message failed to send because the recipient is not a WhatsApp user or cannot receive this message.', status: 400 },
  131047: { title: 'Re-engagement message', details: 'More than 24 hours have passed since the recipient last replied to the sender number.', status: 400 },
  131053: { title: 'Media upload error', details: 'Unable to upload the media used in the message.', status: 400 },
  130429: { title: 'Rate limit hit', details: 'Message failed to send because there were too many messages sent from this phone number in a short period of time.', status: 429 },
  131056: {
    title: '(Business Account, Consumer Account) pair rate limit hit',
    details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
    status: 429,
  },
  131057: { title: 'Account in maintenance mode', details: 'Business Account is in maintenance mode.', status: 503 },
  132000: { title: 'Number of parameters does not match the expected number of params', details: 'The number of parameters does not match the template.', status: 400 },
  132001: { title: 'Template name does not exist in the translation', details: 'The template does not exist in this language.', status: 400 },
  132012: { title: 'Parameter format does not match format in the created template', details: 'A parameter does not match the format of the template.', status: 400 },
  132015: { title: 'Template is Paused', details: 'The template is paused because of low quality.', status: 400 },
  132016: { title: 'Template is disabled', details: 'The template has been permanently disabled.', status: 400 },
};

/** A trace id shaped like Meta's (logged by clients, asked for by Meta support). */
export function fbtraceId(): string {
  return `A${randomBytes(16).toString('base64url').slice(0, 22)}`;
}

/** The WhatsApp error envelope for a code: `(#code) title`, OAuthException, details in error_data. */
export function whatsappError(code: number, details?: string, status?: number): GraphErrorAnswer {
  if (code === 190) return invalidTokenError(status);
  const known = KNOWN[code];
  return {
    status: status ?? known?.status ?? 400,
    body: {
      error: {
        message: `(#${code}) ${known?.title ?? 'Error'}`,
        type: 'OAuthException',
        code,
        error_data: { messaging_product: 'whatsapp', details: details ?? known?.details ?? 'An error occurred.' },
        fbtrace_id: fbtraceId(),
      },
    },
  };
}

/** Meta's answer to a token it cannot use: code 190, no error_data, HTTP 401. */
export function invalidTokenError(status = 401): GraphErrorAnswer {
  return {
    status,
    body: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: fbtraceId() } },
  };
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
