// What a message whose sender was checked may do (design: a forged From must never write into a
// customer's active conversation). A verified or unconfirmed sender threads as usual. An unverified one
// keeps only the ticket numbers it proves (a reply token only a recipient of our mail holds), and when it
// proves none while the customer it names has an active ticket, it is held for a person; with the
// channel in quarantine mode every unverified message is held. A held message a person released threads
// as usual. Every checked message carries the verdict, for the thread to show.
import type { SenderCheck } from '../../channels/adapter.js';
import type { CustomerMessage, ThreadingHints } from '../../channels/inbound-events.js';
import type { ChannelRow } from '../../db/schema.js';
import { decideSenderTrust } from '../../domain/sender-trust.js';
import type { Deps } from '../deps.js';
import { hasActiveTicketAt } from './conversation-lookups.repo.js';
import { decisionFor, holdInbound } from './held-inbound.repo.js';

export type GatedMessage = { pass: true; message: CustomerMessage } | { pass: false; reason: 'unverified_sender' | 'discarded' };

export async function gateBySender(deps: Pick<Deps, 'store' | 'clock'>, channel: ChannelRow, message: CustomerMessage, check: SenderCheck, delivery: { id: string }): Promise<GatedMessage> {
  const trust = decideSenderTrust(check.authenticity, check.mode);
  const note = { authenticity: check.authenticity, summary: check.summary, unverified: trust.markUnverified, ...check.details };
  const marked = (extra: Record<string, unknown> = {}, hints = message.threadingHints): CustomerMessage => ({
    ...message,
    data: { ...message.data, senderCheck: { ...note, ...extra } },
    ...(hints ? { threadingHints: hints } : {}),
  });
  if (trust.mayThreadBySender) return { pass: true, message: marked() };
  const decision = await decisionFor(deps.store.db, channel.id, message.providerMessageId);
  if (decision === 'released') return { pass: true, message: marked({ released: true }) };
  if (decision === 'discarded') return { pass: false, reason: 'discarded' };
  const proven: ThreadingHints = { ticketNumbers: (message.threadingHints?.ticketNumbers ?? []).filter((named) => named.proves), referencedMessageIds: [] };
  const intoOpenConversation = proven.ticketNumbers.length === 0 && (await hasActiveTicketAt(deps.store.db, channel.id, message.contact.address));
  if (!trust.quarantine && !intoOpenConversation) return { pass: true, message: marked({}, proven) };
  const held = { providerMessageId: message.providerMessageId, address: message.contact.address, subject: message.subject ?? null, reason: 'unverified_sender', verdict: note };
  await holdInbound(deps.store.db, channel, delivery, held, deps.clock.now());
  return { pass: false, reason: 'unverified_sender' };
}
