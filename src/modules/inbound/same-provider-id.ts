// Provider ids that are not unique (an email's Message-ID: a real pair of ticketing-system notifications
// shares one). A message carrying a content hash is compared with the message already stored under its id:
// the same content is a redelivery (the unique index keeps it out, as for every channel), different content
// is a second message, stored under `<id>#<first 12 hex of its hash>` and noting the message it shares the
// id with in `data.sameProviderIdAs`. The first keeps the id itself, so replies naming it still thread.
// A message stored before hashes were kept has none and is taken for the same.
import type { Kysely } from 'kysely';
import type { CustomerMessage } from '../../channels/inbound-events.js';
import type { Database } from '../../db/schema.js';
import type { Logger } from '../../lib/logger.js';

const DERIVED_HASH_LENGTH = 12;

/** The message with its content hash recorded, under a derived id when a different message holds its id. */
export async function withDistinctProviderId(db: Kysely<Database>, channelId: string, message: CustomerMessage, logger: Logger): Promise<CustomerMessage> {
  const { contentHash } = message;
  if (!contentHash) return message;
  const recorded = { ...message, data: { ...message.data, contentHash } };
  const holder = await db.selectFrom('messages').select(['id', 'data']).where('channel_id', '=', channelId).where('provider_message_id', '=', message.providerMessageId).executeTakeFirst();
  const holderHash = holder ? contentHashIn(holder.data) : null;
  if (!holder || holderHash === null || holderHash === contentHash) return recorded;
  const derivedId = `${message.providerMessageId}#${contentHash.slice(0, DERIVED_HASH_LENGTH)}`;
  logger.info({ channelId, providerMessageId: message.providerMessageId, derivedId, sameIdAs: holder.id }, 'a different message arrived under a stored provider id; it is stored under a derived id');
  return { ...recorded, providerMessageId: derivedId, data: { ...recorded.data, sameProviderIdAs: { messageId: holder.id, providerMessageId: message.providerMessageId } } };
}

function contentHashIn(data: string | null): string | null {
  if (!data) return null;
  const parsed = JSON.parse(data) as { contentHash?: unknown };
  return typeof parsed.contentHash === 'string' ? parsed.contentHash : null;
}
