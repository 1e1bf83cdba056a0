// WhatsApp's Graph API error envelopes (channels.md §A.4.8, §A.5.3): `(#code) title`, OAuthException and
// the details in error_data; the envelopes every Meta product shares live in ../../meta/fake.
import { fbtraceId, invalidTokenError, type GraphErrorAnswer } from '../../meta/fake/graph-errors.js';

export { fbtraceId, invalidTokenError, missingTokenError, unknownObjectError, unknownPathError } from '../../meta/fake/graph-errors.js';
export type { GraphErrorAnswer, GraphErrorObject } from '../../meta/fake/graph-errors.js';

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
