// Machine-written mail (an auto-reply, list mail nobody answers, a delivery report for none of our mails)
// never opens a ticket by itself; when its sender has no active ticket to record it in, it is held in
// `inbound_held` (reason `automated`) rather than lost, so an admin can see it and release it. Released, it
// is read again and stored as a person's mail: it opens a ticket like any other.
import type { CustomerMessage } from '../../channels/inbound-events.js';
import type { ChannelRow } from '../../db/schema.js';
import type { Deps } from '../deps.js';
import { decisionFor, holdInbound } from './held-inbound.repo.js';

export const AUTOMATED_SUMMARY = 'Written by a machine (an auto-reply, list mail or a delivery report), and its sender has no open ticket to record it in.';

/** The message as it is stored: a person's mail when an admin released it from the automated hold. */
export async function unlessReleasedFromAutomatedHold(deps: Pick<Deps, 'store'>, channelId: string, message: CustomerMessage): Promise<CustomerMessage> {
  if (!message.automated) return message;
  if ((await decisionFor(deps.store.db, channelId, message.providerMessageId, 'automated')) !== 'released') return message;
  return { ...message, automated: false, data: { ...message.data, releasedFromHold: 'automated' } };
}

/** Holds automated mail that had no ticket to join; a message held before (read again) is kept as it was. */
export async function holdAutomated(deps: Pick<Deps, 'store' | 'clock'>, channel: ChannelRow, message: CustomerMessage, delivery: { id: string }): Promise<void> {
  const senderCheck = message.data?.senderCheck;
  await holdInbound(
    deps.store.db,
    channel,
    delivery,
    {
      providerMessageId: message.providerMessageId,
      address: message.contact.address,
      subject: message.subject ?? null,
      reason: 'automated',
      verdict: { summary: AUTOMATED_SUMMARY, ...(senderCheck ? { senderCheck } : {}) },
    },
    deps.clock.now(),
  );
}
