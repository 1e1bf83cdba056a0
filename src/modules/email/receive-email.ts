// The three ways mail comes in (our SMTP listener, a polled IMAP mailbox, an HTTP forward) end here: the raw
// message is stored in the inbound queue before anyone is told it was received, and a job reads it.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { insertInboundPayload } from '../inbound/inbound-payload.repo.js';
import type { Deps } from '../deps.js';
import { findEmailChannelForRecipient } from './email-channel.repo.js';

export const EMAIL_SOURCES = ['email-smtp', 'email-imap', 'email-http'] as const;
export type EmailSource = (typeof EMAIL_SOURCES)[number];

/** Whether our SMTP listener takes mail for this envelope recipient. */
export async function isEmailRecipient(deps: Pick<Deps, 'store'>, address: string): Promise<boolean> {
  return (await findEmailChannelForRecipient(deps.store.db, address)) !== undefined;
}

/**
 * Stores mail the SMTP listener received, once per channel among its envelope recipients. The envelope
 * recipients are recorded as Delivered-To lines on top of the message, as a delivering mail server does: a
 * reply token carried only by the envelope (a Bcc) is still read.
 */
export async function storeSmtpMail(deps: Pick<Deps, 'store' | 'clock'>, raw: Buffer, recipients: readonly string[]): Promise<string[]> {
  const byChannel = new Map<string, string[]>();
  for (const recipient of recipients) {
    const channel = await findEmailChannelForRecipient(deps.store.db, recipient);
    if (channel) byChannel.set(channel.id, [...(byChannel.get(channel.id) ?? []), recipient]);
  }
  return deps.store.unit(async (trx) => {
    const ids: string[] = [];
    for (const [channelId, addresses] of byChannel) {
      const trace = Buffer.from(addresses.map((a) => `Delivered-To: ${a.replace(/[\r\n]/g, '')}\r\n`).join(''));
      ids.push(await insertInboundPayload(trx, { source: 'email-smtp', channelId, raw: Buffer.concat([trace, raw]) }, deps.clock.now()));
    }
    return ids;
  });
}

/** Stores one message received for a known channel (IMAP, HTTP). */
export async function storeChannelMail(trx: Kysely<Database>, source: EmailSource, channelId: string, raw: Buffer, now: number): Promise<string> {
  return insertInboundPayload(trx, { source, channelId, raw }, now);
}
