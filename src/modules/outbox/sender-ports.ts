// What the engine lends channels' senders: stored attachments' bytes, and the conversation an outbound
// message belongs to, for providers that chain messages (mail's threading headers).
import type { Conversation, SenderPorts } from '../../channels/adapter.js';
import type { OutboundSend } from '../../channels/types.js';
import { fromJson } from '../../lib/json.js';
import type { AttachmentStorage } from '../attachments/attachment-storage.js';
import type { Deps } from '../deps.js';

export function senderPorts(deps: Pick<Deps, 'store'>, storage: Pick<AttachmentStorage, 'get'>): SenderPorts {
  return { readAttachment: (key) => storage.get(key), conversationOf: (send) => conversationOf(deps, send) };
}

/** The message's ticket and the channel's earlier messages in it, oldest first; null when the message is gone. */
async function conversationOf(deps: Pick<Deps, 'store'>, send: OutboundSend): Promise<Conversation | null> {
  const db = deps.store.db;
  const message = await db.selectFrom('messages').select(['id', 'ticket_id', 'channel_id', 'created_at', 'subject', 'automated', 'author_kind']).where('id', '=', send.messageId).executeTakeFirst();
  if (!message) return null;
  const ticket = await db.selectFrom('tickets').select(['id', 'number', 'subject']).where('id', '=', message.ticket_id).executeTakeFirst();
  if (!ticket) return null;
  const earlier = await db
    .selectFrom('messages')
    .select(['provider_message_id', 'direction', 'data'])
    .where('ticket_id', '=', message.ticket_id)
    .where('channel_id', '=', message.channel_id)
    .where('provider_message_id', 'is not', null)
    .where('direction', 'in', ['inbound', 'outbound'])
    .where((eb) => eb.or([eb('created_at', '<', message.created_at), eb.and([eb('created_at', '=', message.created_at), eb('id', '<', message.id)])]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return {
    ticketId: ticket.id,
    ticketNumber: ticket.number,
    ticketSubject: ticket.subject,
    messageSubject: message.subject,
    automated: message.automated === 1 || message.author_kind === 'system',
    earlier: earlier.map((row) => ({
      providerMessageId: row.provider_message_id!,
      direction: row.direction as 'inbound' | 'outbound',
      references: fromJson<{ email?: { references?: string[] } }>(row.data)?.email?.references ?? [],
    })),
  };
}
