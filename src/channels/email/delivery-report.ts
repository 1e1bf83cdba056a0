// Bounces: a delivery status notification (RFC 3464) names the message it returns and why it failed.
// We link it to our outbound message by the VERP envelope sender we sent with, or by the Message-ID in
// the returned headers.
import { normalizeMessageIds } from './threading-keys.js';

export interface DeliveryFailure {
  /** Recipients the report says permanently failed, with their status code and the server's words. */
  recipients: { address: string | null; status: string | null; diagnostic: string | null }[];
  /** The Message-ID of the returned message, when the report includes its headers. */
  originalMessageId: string | null;
}

/**
 * Reads the machine part of a delivery report; null when it reports no failure (a delay, a success)
 * or is not a report at all.
 */
export function readDeliveryFailure(deliveryStatus: string | null, returnedHeaders: string | null): DeliveryFailure | null {
  if (!deliveryStatus) return null;
  const blocks = deliveryStatus.replace(/\r\n/g, '\n').split(/\n\s*\n/);
  const recipients = blocks
    .map(fieldsOf)
    .filter((fields) => (fields.get('action') ?? '').toLowerCase() === 'failed')
    .map((fields) => ({
      address: addressOf(fields.get('final-recipient') ?? fields.get('original-recipient') ?? null),
      status: fields.get('status') ?? null,
      diagnostic: fields.get('diagnostic-code')?.replace(/^smtp;\s*/i, '') ?? null,
    }));
  if (recipients.length === 0) return null;
  const messageId = returnedHeaders ? fieldsOf(returnedHeaders.replace(/\r\n/g, '\n')).get('message-id') : undefined;
  return { recipients, originalMessageId: messageId ? (normalizeMessageIds(messageId)[0] ?? null) : null };
}

/** The reason a person reads on the failed message. */
export function failureReason(failure: DeliveryFailure): { code: string; message: string } {
  const first = failure.recipients[0];
  const code = first?.status ?? '5.0.0';
  const who = first?.address ? ` to ${first.address}` : '';
  return { code: `EMAIL_BOUNCED_${code}`, message: `The mail could not be delivered${who}: ${first?.diagnostic ?? `status ${code}`}.` };
}

function fieldsOf(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  // Folded lines continue the field above them.
  for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}

function addressOf(field: string | null): string | null {
  if (!field) return null;
  return field.replace(/^rfc822;\s*/i, '').trim().toLowerCase() || null;
}
