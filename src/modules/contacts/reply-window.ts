// The reply window of a (channel, contact) pair, read from the store and judged by the channel's policy.
import type { Kysely } from 'kysely';
import { channelRules } from '../../channels/registry.js';
import type { ChannelRow, Database, IdentityRow } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { checkOutbound, type MessageOrigin, type OutboundForm, type ReplyWindow } from '../../domain/reply-policy.js';
import { findAddressOfKind, findContactIdentity } from './contact.repo.js';
import { lastCustomerMessageAt } from '../tickets/ticket.repo.js';

export interface PairWindow {
  window: ReplyWindow;
  /** The contact's identity on this channel, when the customer has one there. */
  identity: IdentityRow | undefined;
  /** The address a send would go to. */
  address: string | null;
}

/**
 * The window belongs to the (channel, contact) pair, not to a ticket: it is anchored on the customer's
 * latest message over all the pair's tickets, so a new ticket opened while the window is open keeps it.
 */
export async function pairWindow(db: Kysely<Database>, channel: Pick<ChannelRow, 'id' | 'kind'>, contactId: string, now: number): Promise<PairWindow> {
  const rules = channelRules(channel.kind);
  const identity = await findContactIdentity(db, contactId, channel.id);
  const address = identity?.address ?? (rules.addressCarriesAcrossChannels ? ((await findAddressOfKind(db, contactId, channel.kind)) ?? null) : null);
  const lastInboundAt = identity ? await lastCustomerMessageAt(db, channel.id, contactId) : null;
  const window = rules.replyPolicy({ lastInboundAt, address, now });
  return { window, identity, address };
}

/** Refuses (changing nothing) a message the pair's window does not allow; returns the provider tag to send with. */
export function requireSendAllowed(pair: PairWindow, form: OutboundForm, origin: MessageOrigin): { tag: string | null } {
  const decision = checkOutbound(pair.window, form, origin);
  if (!decision.ok) throw new DomainError(decision.refusal);
  return { tag: decision.tag };
}
