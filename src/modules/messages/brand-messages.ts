// Messages the provider reports our own account sent (Instagram echoes): the app's own sends are known
// by their provider id and left alone; ones the brand wrote elsewhere (Instagram's app, another tool) are
// recorded once, as outbound messages by an external sender, in the customer's active ticket.
import type { Kysely } from 'kysely';
import { channelRules } from '../../channels/registry.js';
import type { Attachment, MessageKind } from '../../channels/types.js';
import type { Database } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { appendTimeline, publishRealtime, type RealtimeEntry } from '../../events/event.repo.js';
import { resolveIdentity } from '../contacts/resolve-identity.js';
import type { Deps } from '../deps.js';
import { findOrOpenActiveTicket } from '../tickets/active-ticket.js';
import { createdEvent, takeTicketNumberFor } from '../tickets/open-ticket.js';
import { previewOf, teamMessageActivity } from '../tickets/ticket-activity.js';
import { queueMediaFetches } from '../attachments/fetch-provider-media.js';
import { newMessageRow } from './message-row.js';
import { findMessageByProviderId, insertMessage } from './message.repo.js';

/** One message our account sent, as the provider reports it. */
export interface BrandMessageReport {
  channelId: string;
  providerMessageId: string;
  /** The customer's address on the channel. */
  to: string;
  sentAt: number;
  kind: MessageKind;
  body: string | null;
  attachments: Attachment[];
  data: Record<string, unknown> | null;
}

export type BrandMessageOutcome =
  | { outcome: 'ours' }
  /** A send of ours to the customer with the same text is still waiting for its answer: this may be its echo. */
  | { outcome: 'in_flight' }
  | { outcome: 'recorded'; messageId: string; workspaceId: string; ticketId: string };

/** Rolls the unit back when a concurrent delivery stored the same message first. */
class AlreadyStored extends Error {}

/**
 * Records a message the brand sent outside the app, unless it is one of ours: known by its provider id,
 * or (with `matchInFlight`) possibly the echo of a send whose answer has not been recorded yet.
 */
export async function recordBrandMessage(deps: Pick<Deps, 'store' | 'clock' | 'channelHomes'>, report: BrandMessageReport, options: { matchInFlight: boolean }): Promise<BrandMessageOutcome> {
  const home = await deps.channelHomes.get(deps.store.db, report.channelId);
  if (!home) throw new DomainError({ code: 'NOT_FOUND', message: 'The channel of this message is not connected.' });
  const address = channelRules(home.kind).normalizeAddress(report.to);
  if (!address) throw new DomainError({ code: 'VALIDATION_FAILED', message: `"${report.to}" is not a ${home.kind} address.`, details: { field: 'to' } });
  if (await findMessageByProviderId(deps.store.db, report.channelId, report.providerMessageId)) return { outcome: 'ours' };
  try {
    return await deps.store.unit(async (trx) => {
      const now = deps.clock.now();
      const { contactId } = await resolveIdentity(trx, { workspaceId: home.workspaceId, channelId: report.channelId, channelKind: home.kind, address }, now);
      if (options.matchInFlight && (await hasSendInFlight(trx, report, contactId))) return { outcome: 'in_flight' } as const;
      const preview = previewOf(report.body, `[${report.kind}]`);
      const pair = { workspaceId: home.workspaceId, channelId: report.channelId, contactId };
      // The brand spoke last: a ticket it opens waits for the customer.
      const found = await findOrOpenActiveTicket(trx, pair, { created_by: 'agent', status: 'pending', last_message_direction: 'outbound', last_message_preview: preview }, now);
      if (!found) throw new Error(`the ticket of channel ${report.channelId} changed while a brand message was recorded`);
      const { ticket, created } = found;
      const message = await insertMessage(
        trx,
        newMessageRow({
          ticket,
          channelId: report.channelId,
          direction: 'outbound',
          author: { kind: 'external' },
          kind: report.kind,
          status: 'sent',
          body: report.body,
          attachments: report.attachments,
          data: report.data,
          providerMessageId: report.providerMessageId,
          providerTimestamp: report.sentAt,
          createdAt: now,
        }),
      );
      if (!message) throw new AlreadyStored();
      await queueMediaFetches(trx, { id: message.id, workspaceId: home.workspaceId, channelId: report.channelId, attachments: report.attachments }, now);
      await trx.updateTable('tickets').set(teamMessageActivity(now, preview, ticket.first_response_at)).where('id', '=', ticket.id).execute();
      const realtime: RealtimeEntry[] = [
        created ? { type: 'ticket.created', payload: { ticketId: ticket.id } } : { type: 'ticket.updated', payload: { ticketId: ticket.id, number: ticket.number } },
        { type: 'message.created', payload: { ticketId: ticket.id, messageId: message.id } },
      ];
      if (found.created) await appendTimeline(trx, ticket, { kind: 'system' }, [{ type: 'ticket.created', data: createdEvent('agent', found.ticket.previous_ticket_id) }], now);
      await publishRealtime(trx, home.workspaceId, realtime, now);
      // The number comes last: from here to the commit the workspace's counter is locked.
      if (created) await takeTicketNumberFor(trx, ticket);
      return { outcome: 'recorded', messageId: message.id, workspaceId: home.workspaceId, ticketId: ticket.id } as const;
    });
  } catch (error) {
    if (error instanceof AlreadyStored) return { outcome: 'ours' };
    throw error;
  }
}

/** Whether one of our sends to the contact on this channel, with the same text, is queued without its answer yet. */
async function hasSendInFlight(trx: Kysely<Database>, report: BrandMessageReport, contactId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('messages')
    .innerJoin('tickets', 'tickets.id', 'messages.ticket_id')
    .select('messages.id')
    .where('messages.channel_id', '=', report.channelId)
    .where('tickets.contact_id', '=', contactId)
    .where('messages.direction', '=', 'outbound')
    .where('messages.status', '=', 'queued')
    .where((eb) => (report.body === null ? eb('messages.body', 'is', null) : eb('messages.body', '=', report.body)))
    .executeTakeFirst();
  return row !== undefined;
}
