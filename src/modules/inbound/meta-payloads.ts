// What processing a stored Meta webhook body (WhatsApp, Instagram) takes whatever the product: the
// channels of the accounts it names, kept only where the body's signature holds under that channel's app
// secret; customers' messages stored in order; and a body read again later while parts of it refer to
// messages not stored yet.
import { verifyMetaSignature } from '../../channels/meta/signature.js';
import type { InboundMessage } from '../../channels/types.js';
import type { ChannelRow } from '../../db/schema.js';
import { DAY, MINUTE } from '../../domain/clock.js';
import { DomainError } from '../../domain/errors.js';
import type { ChannelKind } from '../../domain/reply-policy.js';
import type { Logger } from '../../lib/logger.js';
import { channelAccount, type AccountChannels } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';
import { ingestInbound } from '../messages/ingest-inbound.js';
import type { InboundPayload } from './inbound-payload.repo.js';
import { ProcessLater } from './process-inbound.js';

// A receipt or reaction can overtake the message it refers to; it is looked for again for a day.
const WAIT_FOR_REFERENCED_MESSAGE_MS = DAY;
const RETRY_REFERENCES_AFTER_MS = MINUTE;

/**
 * The channels of the accounts a body is for, by account id, each only if the body is signed with its
 * app secret. `known` is the handler's short-lived cache of channels by account.
 */
export async function signedChannels(deps: Deps, known: AccountChannels, kind: ChannelKind, payload: InboundPayload, accountIds: string[], logger: Logger): Promise<Map<string, ChannelRow>> {
  const channels = await known.find(deps.store.db, kind, accountIds);
  const signed = new Map<string, ChannelRow>();
  for (const channel of channels) {
    if (verifyMetaSignature(payload.raw, payload.signature, channelAccount(channel).secrets.appSecret ?? '')) signed.set(channel.external_id, channel);
    else logger.warn({ channelId: channel.id, payloadId: payload.id }, `a ${kind} change not signed with its channel's app secret was skipped`);
  }
  for (const account of accountIds) {
    if (!channels.some((c) => c.external_id === account)) logger.warn({ account, payloadId: payload.id }, `a ${kind} change for an account no channel connects was skipped`);
  }
  return signed;
}

/** Stores one customer message (its media queued with it); a message the engine refuses is logged and skipped. */
async function ingestOne(deps: Deps, channel: ChannelRow, message: Omit<InboundMessage, 'channelId'>, logger: Logger): Promise<void> {
  try {
    await ingestInbound(deps, { ...message, channelId: channel.id });
  } catch (error) {
    // A message the engine refuses (an unusable address) would be refused again on every retry.
    if (!(error instanceof DomainError)) throw error;
    logger.warn({ channelId: channel.id, providerMessageId: message.providerMessageId, code: error.code }, `a ${channel.kind} message was refused: ${error.message}`);
  }
}

/** Stores each customer's messages in order, different customers side by side. */
export async function ingestByContact(deps: Deps, channel: ChannelRow, messages: Omit<InboundMessage, 'channelId'>[], logger: Logger): Promise<void> {
  const byContact = new Map<string, Omit<InboundMessage, 'channelId'>[]>();
  for (const message of messages) {
    // A WhatsApp BSUID names the customer whether or not the phone came with it.
    const key = message.contact.userId ?? message.contact.address;
    byContact.set(key, [...(byContact.get(key) ?? []), message]);
  }
  await Promise.all(
    [...byContact.values()].map(async (ordered) => {
      for (const message of ordered) await ingestOne(deps, channel, message, logger);
    }),
  );
}

/** Has the body read again in a minute while `waiting` of its parts refer to messages not stored yet, for up to a day. */
export function waitForReferencedMessages(deps: Deps, payload: InboundPayload, waiting: number): void {
  if (waiting > 0 && deps.clock.now() - payload.received_at < WAIT_FOR_REFERENCED_MESSAGE_MS) {
    throw new ProcessLater(`${waiting} part(s) refer to a message not stored yet`, RETRY_REFERENCES_AFTER_MS);
  }
}
