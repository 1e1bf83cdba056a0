// Processing a stored WhatsApp webhook body: each change goes to the channel of its business number,
// only when the body's signature holds under that channel's app secret. Customer messages go through
// ingestInbound (one contact's messages in order), reactions onto the message they react to, receipts
// onto our outbound messages. Redelivered bodies redo nothing.
import { readWhatsappPayload, type WhatsappChange } from '../../channels/whatsapp/inbound.js';
import type { ChannelRow } from '../../db/schema.js';
import { parseStorableJson } from '../../domain/storable-text.js';
import { KeyedSerializer } from '../../lib/keyed-serializer.js';
import type { Logger } from '../../lib/logger.js';
import { AccountChannels } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';
import { applyDeliveryReceipt } from '../messages/delivery-receipts.js';
import { applyReaction } from '../messages/reactions.js';
import { ingestByContact, signedChannels, waitForReferencedMessages } from './meta-payloads.js';
import type { PayloadHandler } from './process-inbound.js';
import { recordUnreadable } from './unreadable-inbound.repo.js';

/** Whom a change is about: its customers' messages and receipts keep the order their payloads arrived in. */
function conversationsOf(changes: WhatsappChange[]): string[] {
  return changes.flatMap((change) => [
    // A customer may be named by phone, by BSUID or by both: each key serializes.
    ...change.messages.flatMap((m) => [`${change.phoneNumberId}:${m.contact.address}`, ...(m.contact.userId ? [`${change.phoneNumberId}:${m.contact.userId}`] : [])]),
    ...change.reactions.map((r) => `${change.phoneNumberId}:${r.from}`),
    ...change.statuses.map((s) => `${change.phoneNumberId}:status:${s.providerMessageId}`),
  ]);
}

export function whatsappPayloadHandler(logger: Logger): PayloadHandler {
  // Payloads are processed side by side for throughput; two about the same conversation are not.
  const serializer = new KeyedSerializer();
  const known = new AccountChannels();
  return (deps, payload) => {
    // Every string of the body made storable the same way on both engines (domain/storable-text.ts).
    const changes = readWhatsappPayload(parseStorableJson(payload.raw.toString('utf8')), payload.received_at);
    return serializer.run(conversationsOf(changes), async () => {
      const channels = await signedChannels(deps, known, 'whatsapp', payload, changes.map((c) => c.phoneNumberId), logger);
      let waiting = 0;
      for (const change of changes) {
        const channel = channels.get(change.phoneNumberId);
        if (!channel) continue;
        for (const error of change.errors) logger.warn({ channelId: channel.id, code: error.code }, `WhatsApp reported: ${error.message}`);
        for (const item of change.unreadable) logger.warn({ channelId: channel.id, payloadId: payload.id, item: item.item }, `a WhatsApp message or receipt could not be read: ${item.reason}`);
        await recordUnreadable(deps.store.db, channel, payload, change.unreadable, deps.clock.now());
        waiting += await applyChange(deps, channel, change, logger);
      }
      waitForReferencedMessages(deps, payload, waiting);
    });
  };
}

/** Applies one change; returns how many receipts and reactions found no message to apply to. */
async function applyChange(deps: Deps, channel: ChannelRow, change: WhatsappChange, logger: Logger): Promise<number> {
  await ingestByContact(deps, channel, change.messages, logger);
  let waiting = 0;
  for (const reaction of change.reactions) if (!(await applyReaction(deps, channel.id, reaction))) waiting++;
  for (const receipt of change.statuses) if ((await applyDeliveryReceipt(deps, channel.id, receipt)) === 'unknown') waiting++;
  return waiting;
}
