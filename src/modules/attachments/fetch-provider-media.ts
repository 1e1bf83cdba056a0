// Customers' media is downloaded after their message is stored: the message is durable first, its
// attachment shows as "downloading" and then as the file, or as a visible failure after the retries.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Attachment, MediaFetcher } from '../../channels/types.js';
import type { Database } from '../../db/schema.js';
import type { ChannelKind } from '../../domain/reply-policy.js';
import { publishRealtime } from '../../events/event.repo.js';
import { newId } from '../../lib/ids.js';
import { fromJson, toJson } from '../../lib/json.js';
import type { Logger } from '../../lib/logger.js';
import { channelAccount, findChannel } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';
import { nextAttemptAt } from '../outbox/backoff.js';
import { completeOutbox, giveUpOutbox, leaseDueOutbox, outboxRow, retryOutboxLater, type OutboxItem } from '../outbox/outbox.repo.js';
import type { AttachmentStorage } from './attachment-storage.js';

export const MEDIA_FETCH_TOPIC = 'media.fetch';
const MAX_ATTEMPTS = 8;
const LEASE_MS = 2 * 60_000;

export interface StoredAttachment extends Attachment {
  attachmentId?: string;
  /** Why the download gave up; the agent sees it in place of the file. */
  failed?: string;
}

/**
 * Queues the download of every attachment of the message that is not stored yet. Safe to call again
 * for the same message (a redelivered webhook): each attachment is queued once.
 */
export async function queueMediaFetches(trx: Kysely<Database>, message: { id: string; workspaceId: string; channelId: string; attachments: Attachment[] }, now: number): Promise<void> {
  const pending = message.attachments.map((a, index) => ({ a, index })).filter(({ a }) => a.providerRef && !a.storageKey);
  if (pending.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(
      pending.map(({ index }) =>
        outboxRow({ id: `media-${message.id}-${index}`, workspaceId: message.workspaceId, topic: MEDIA_FETCH_TOPIC, messageId: message.id, channelId: message.channelId, payload: { index } }, now),
      ),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Downloads due media into attachment storage; returns how many items were handled. */
export async function fetchDueMedia(deps: Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'>, storage: AttachmentStorage, fetchers: Partial<Record<ChannelKind, MediaFetcher>>, logger: Logger): Promise<number> {
  const leased = await deps.store.unit((trx) => leaseDueOutbox(trx, MEDIA_FETCH_TOPIC, deps.clock.now(), LEASE_MS, 20));
  await Promise.all(leased.map((item) => fetchOne(deps, storage, fetchers, logger, item)));
  return leased.length;
}

async function fetchOne(deps: Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'>, storage: AttachmentStorage, fetchers: Partial<Record<ChannelKind, MediaFetcher>>, logger: Logger, item: OutboxItem): Promise<void> {
  const index = (fromJson<{ index: number }>(item.payload) ?? { index: 0 }).index;
  const channel = item.channel_id ? await findChannel(deps.store.db, item.channel_id) : undefined;
  const message = await deps.store.db.selectFrom('messages').select(['attachments']).where('id', '=', item.message_id ?? '').executeTakeFirst();
  const attachment = fromJson<StoredAttachment[]>(message?.attachments ?? null)?.[index];
  const fetcher = channel ? fetchers[channel.kind] : undefined;
  if (!channel || !attachment?.providerRef || !fetcher) {
    await deps.store.unit((trx) => giveUpOutbox(trx, item.id, deps.clock.now(), 'nothing to download'));
    return;
  }
  try {
    const { bytes, contentType } = await fetcher.fetch(channelAccount(channel, deps), attachment.providerRef);
    const key = newId().replace(/[^A-Za-z0-9_-]/g, '');
    const stored = await storage.put(key, bytes);
    await deps.store.unit(async (trx) => {
      const attachmentId = newId();
      const type = attachment.contentType ?? contentType ?? 'application/octet-stream';
      await trx
        .insertInto('attachments')
        .values({
          id: attachmentId,
          workspace_id: item.workspace_id,
          storage_key: key,
          file_name: attachment.fileName ?? `${attachment.providerRef}`,
          content_type: type,
          size_bytes: stored.size,
          sha256: stored.sha256 || createHash('sha256').update(bytes).digest('hex'),
          uploaded_by_user_id: null,
          message_id: item.message_id,
          created_at: deps.clock.now(),
        })
        .execute();
      await updateAttachment(trx, item, index, { storageKey: key, attachmentId, size: stored.size, contentType: type, failed: undefined }, deps.clock.now());
      await completeOutbox(trx, item.id, deps.clock.now());
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const now = deps.clock.now();
    if (item.attempts < MAX_ATTEMPTS) {
      logger.warn({ err: error, messageId: item.message_id, attempt: item.attempts }, 'downloading customer media failed; will retry');
      await deps.store.unit((trx) => retryOutboxLater(trx, item.id, nextAttemptAt(now, item.attempts), reason));
      return;
    }
    logger.error({ err: error, messageId: item.message_id }, 'downloading customer media failed for good');
    await deps.store.unit(async (trx) => {
      await updateAttachment(trx, item, index, { failed: `The file could not be downloaded from the provider: ${reason}` }, now);
      await giveUpOutbox(trx, item.id, now, reason);
    });
  }
}

async function updateAttachment(trx: Kysely<Database>, item: OutboxItem, index: number, change: Partial<StoredAttachment>, now: number): Promise<void> {
  const row = await trx.selectFrom('messages').select(['attachments', 'ticket_id', 'workspace_id']).where('id', '=', item.message_id ?? '').executeTakeFirstOrThrow();
  const attachments = fromJson<StoredAttachment[]>(row.attachments) ?? [];
  attachments[index] = { ...attachments[index]!, ...change };
  await trx.updateTable('messages').set({ attachments: toJson(attachments) }).where('id', '=', item.message_id ?? '').execute();
  await publishRealtime(trx, row.workspace_id, [{ type: 'message.updated', payload: { ticketId: row.ticket_id, messageId: item.message_id ?? '' } }], now);
}
