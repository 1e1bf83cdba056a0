// Processing a stored WhatsApp webhook body: each change goes to the channel of its business number,
// only when the body's signature holds under that channel's app secret. Customer messages go through
// ingestInbound (one contact's messages in order), reactions onto the message they react to, receipts
// onto our outbound messages. Redelivered bodies redo nothing.
import { verifyMetaSignature } from '../../channels/meta/signature.js';
import { readWhatsappPayload, type CustomerMessage, type WhatsappChange } from '../../channels/whatsapp/inbound.js';
import type { ChannelRow } from '../../db/schema.js';
import { DAY, MINUTE } from '../../domain/clock.js';
import { DomainError } from '../../domain/errors.js';
import { KeyedSerializer } from '../../lib/keyed-serializer.js';
import type { Logger } from '../../lib/logger.js';
import { queueMediaFetches } from '../attachments/fetch-provider-media.js';
import { AccountChannels, channelAccount } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';
import { applyDeliveryReceipt } from '../messages/delivery-receipts.js';
import { ingestInbound } from '../messages/ingest-inbound.js';
import { applyReaction } from '../messages/reactions.js';
import type { InboundPayload } from './inbound-payload.repo.js';
import { ProcessLater, type PayloadHandler } from './process-inbound.js';

// A receipt or reaction can overtake the message it refers to; it is looked for again for a day.
const WAIT_FOR_REFERENCED_MESSAGE_MS = DAY;
const RETRY_REFERENCES_AFTER_MS = MINUTE;

/** Whom a change is about: its customers' messages and receipts keep the order their payloads arrived in. */
function conversationsOf(changes: WhatsappChange[]): string[] {
  return changes.flatMap((change) => [
    ...change.messages.map((m) => `${change.phoneNumberId}:${m.contact.address}`),
    ...change.reactions.map((r) => `${change.phoneNumberId}:${r.from}`),
    ...change.statuses.map((s) => `${change.phoneNumberId}:status:${s.providerMessageId}`),
  ]);
}

export function whatsappPayloadHandler(logger: Logger): PayloadHandler {
  // Payloads are processed side by side for throughput; two about the same conversation are not.
  const serializer = new KeyedSerializer();
  const channelsOf = new AccountChannels();
  return (deps, payload) => {
    const changes = readWhatsappPayload(JSON.parse(payload.raw.toString('utf8')), payload.received_at);
    return serializer.run(conversationsOf(changes), async () => {
      const channels = await channelsOf.find(deps.store.db, 'whatsapp', changes.map((c) => c.phoneNumberId));
      await applyPayload(deps, payload, changes, channels, logger);
    });
  };
}

async function applyPayload(deps: Deps, payload: InboundPayload, changes: WhatsappChange[], channels: ChannelRow[], logger: Logger): Promise<void> {
  let waiting = 0;
  for (const change of changes) {
    const channel = channels.find((c) => c.external_id === change.phoneNumberId);
    if (!channel) {
      logger.warn({ phoneNumberId: change.phoneNumberId, payloadId: payload.id }, 'a WhatsApp change for a number no channel connects was skipped');
      continue;
    }
    if (!verifyMetaSignature(payload.raw, payload.signature, channelAccount(channel).secrets.appSecret ?? '')) {
      logger.warn({ channelId: channel.id, payloadId: payload.id }, "a WhatsApp change not signed with its channel's app secret was skipped");
      continue;
    }
    for (const error of change.errors) logger.warn({ channelId: channel.id, code: error.code }, `WhatsApp reported: ${error.message}`);
    waiting += await applyChange(deps, channel, change, logger);
  }
  if (waiting > 0 && deps.clock.now() - payload.received_at < WAIT_FOR_REFERENCED_MESSAGE_MS) {
    throw new ProcessLater(`${waiting} receipt(s) or reaction(s) refer to a message not stored yet`, RETRY_REFERENCES_AFTER_MS);
  }
}

/** Applies one change; returns how many receipts and reactions found no message to apply to. */
async function applyChange(deps: Deps, channel: ChannelRow, change: WhatsappChange, logger: Logger): Promise<number> {
  const byContact = new Map<string, CustomerMessage[]>();
  for (const message of change.messages) byContact.set(message.contact.address, [...(byContact.get(message.contact.address) ?? []), message]);
  await Promise.all([...byContact.values()].map(async (messages) => {
    for (const message of messages) await ingestOne(deps, channel, message, logger);
  }));
  let waiting = 0;
  for (const reaction of change.reactions) if (!(await applyReaction(deps, channel.id, reaction))) waiting++;
  for (const receipt of change.statuses) if ((await applyDeliveryReceipt(deps, channel.id, receipt)) === 'unknown') waiting++;
  return waiting;
}

async function ingestOne(deps: Deps, channel: ChannelRow, message: CustomerMessage, logger: Logger): Promise<void> {
  try {
    const result = await ingestInbound(deps, { ...message, channelId: channel.id });
    if (result.outcome === 'ignored' || !message.attachments?.length) return;
    await deps.store.unit((trx) => queueMediaFetches(trx, { id: result.messageId, workspaceId: channel.workspace_id, channelId: channel.id, attachments: message.attachments ?? [] }, deps.clock.now()));
  } catch (error) {
    // A message the engine refuses (an unusable address) would be refused again on every retry.
    if (!(error instanceof DomainError)) throw error;
    logger.warn({ channelId: channel.id, providerMessageId: message.providerMessageId, code: error.code }, `a WhatsApp message was refused: ${error.message}`);
  }
}
