// Deliveries that arrive for a known channel (a listener's recipients, a polled mailbox, an HTTP forward)
// end here: the raw delivery is stored in the inbound queue before anyone is told it was received, and
// the inbound job reads it.
import type { Kysely } from 'kysely';
import type { ChannelAdapter, DeliveryEnvelope } from '../../channels/adapter.js';
import type { ChannelRow, Database } from '../../db/schema.js';
import type { Deps } from '../deps.js';
import { insertInboundPayload } from './inbound-payload.repo.js';

/** The switched-on channel of the adapter's kind that a recipient address (sub-addresses included) belongs to. */
export async function findChannelForRecipient(db: Kysely<Database>, adapter: ChannelAdapter, recipient: string): Promise<ChannelRow | undefined> {
  const account = adapter.accountOfRecipient?.(recipient);
  if (!account) return undefined;
  return db.selectFrom('channels').selectAll().where('kind', '=', adapter.kind).where('external_id', '=', account).where('enabled', '=', 1).executeTakeFirst();
}

/**
 * Stores a delivery a listener received, once per channel among its envelope recipients. The envelope
 * recipients are recorded as Delivered-To lines on top of the message, as a delivering mail server does:
 * a reply token carried only by the envelope (a Bcc) is still read.
 */
export async function storeListenerDelivery(deps: Pick<Deps, 'store' | 'clock'>, adapter: ChannelAdapter, source: string, raw: Buffer, envelope: DeliveryEnvelope & { recipients: readonly string[] }): Promise<string[]> {
  const byChannel = new Map<string, string[]>();
  for (const recipient of envelope.recipients) {
    const channel = await findChannelForRecipient(deps.store.db, adapter, recipient);
    if (channel) byChannel.set(channel.id, [...(byChannel.get(channel.id) ?? []), recipient]);
  }
  return deps.store.unit(async (trx) => {
    const ids: string[] = [];
    for (const [channelId, addresses] of byChannel) {
      const trace = Buffer.from(addresses.map((a) => `Delivered-To: ${a.replace(/[\r\n]/g, '')}\r\n`).join(''));
      ids.push(await insertInboundPayload(trx, { source, channelId, raw: Buffer.concat([trace, raw]), envelope: { clientIp: envelope.clientIp, helo: envelope.helo, mailFrom: envelope.mailFrom } }, deps.clock.now()));
    }
    return ids;
  });
}

/** Stores one delivery received for a known channel (a polled mailbox, an HTTP forward). */
export async function storeChannelDelivery(trx: Kysely<Database>, source: string, channelId: string, raw: Buffer, now: number): Promise<string> {
  return insertInboundPayload(trx, { source, channelId, raw }, now);
}
