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
import { runLeasedQueue, type ItemOutcome } from '../../lib/leased-queue.js';
import type { Logger } from '../../lib/logger.js';
import { channelAccount, findChannel } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';
import { DELIVERY_BACKOFF } from '../queue/backoff.js';
import { giveBackLeases } from '../queue/give-back-leases.js';
import { completeOutbox, giveUpOutbox, leaseDueOutbox, outboxRow, releaseOutboxLeases, retryOutboxLater, type OutboxItem } from '../queue/outbox.repo.js';
import type { AttachmentStorage } from './attachment-storage.js';

export const MEDIA_FETCH_TOPIC = 'media.fetch';
const MAX_ATTEMPTS = 8;
const LEASE_MS = 2 * 60_000;
// Downloads of one run go on at the same time.
const PER_RUN = 20;

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

type FetchDeps = Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'>;

/** Why a download did not happen; a download that failed is shown on its attachment once given up. */
interface FetchFailure {
  reason: string;
  failedDownload?: { error: unknown; attachmentIndex: number };
}

/** Downloads due media into attachment storage; returns how many items were handled. */
export async function fetchDueMedia(deps: FetchDeps, storage: AttachmentStorage, fetchers: Partial<Record<ChannelKind, MediaFetcher>>, logger: Logger): Promise<number> {
  const totals = await runLeasedQueue<OutboxItem, void, FetchFailure>({
    name: 'media-fetch',
    batchSize: PER_RUN,
    concurrency: PER_RUN,
    lease: (limit) => deps.store.unit((trx) => leaseDueOutbox(trx, MEDIA_FETCH_TOPIC, deps.clock.now(), LEASE_MS, limit)),
    process: (item) => fetchOne(deps, storage, fetchers, item),
    // A download is harmless to repeat.
    release: (items, error) => giveBackLeases(deps.store, error, items, releaseOutboxLeases),
    retry: { schedule: DELIVERY_BACKOFF, maxAttempts: MAX_ATTEMPTS },
    retryLater: async (item, failure, delayMs) => {
      const now = deps.clock.now();
      logger.warn({ err: failure.failedDownload?.error, messageId: item.message_id, attempt: item.attempts }, 'downloading customer media failed; will retry');
      await deps.store.unit((trx) => retryOutboxLater(trx, item.id, now + delayMs, failure.reason));
    },
    giveUp: async (item, { reason, failedDownload }) => {
      if (!failedDownload) {
        await deps.store.unit((trx) => giveUpOutbox(trx, item.id, deps.clock.now(), reason));
        return;
      }
      const now = deps.clock.now();
      logger.error({ err: failedDownload.error, messageId: item.message_id }, 'downloading customer media failed for good');
      await deps.store.unit(async (trx) => {
        await updateAttachment(trx, item, failedDownload.attachmentIndex, { failed: `The file could not be downloaded from the provider: ${reason}` }, now);
        await giveUpOutbox(trx, item.id, now, reason);
      });
    },
  });
  return totals.leased;
}

async function fetchOne(deps: FetchDeps, storage: AttachmentStorage, fetchers: Partial<Record<ChannelKind, MediaFetcher>>, item: OutboxItem): Promise<ItemOutcome<void, FetchFailure>> {
  const index = (fromJson<{ index: number }>(item.payload) ?? { index: 0 }).index;
  const channel = item.channel_id ? await findChannel(deps.store.db, item.channel_id) : undefined;
  const message = await deps.store.db.selectFrom('messages').select(['attachments']).where('id', '=', item.message_id ?? '').executeTakeFirst();
  const attachment = fromJson<StoredAttachment[]>(message?.attachments ?? null)?.[index];
  const fetcher = channel ? fetchers[channel.kind] : undefined;
  if (!channel || !attachment?.providerRef || !fetcher) return { outcome: 'failed', failure: { reason: 'nothing to download' }, final: true };
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
    // Recorded above, in the transaction that stores the file's row: a failure there is retried like a failed download.
    return { outcome: 'succeeded', value: undefined };
  } catch (error) {
    return { outcome: 'failed', failure: { reason: error instanceof Error ? error.message : String(error), failedDownload: { error, attachmentIndex: index } } };
  }
}

async function updateAttachment(trx: Kysely<Database>, item: OutboxItem, index: number, change: Partial<StoredAttachment>, now: number): Promise<void> {
  const row = await trx.selectFrom('messages').select(['attachments', 'ticket_id', 'workspace_id']).where('id', '=', item.message_id ?? '').executeTakeFirstOrThrow();
  const attachments = fromJson<StoredAttachment[]>(row.attachments) ?? [];
  attachments[index] = { ...attachments[index]!, ...change };
  await trx.updateTable('messages').set({ attachments: toJson(attachments) }).where('id', '=', item.message_id ?? '').execute();
  await publishRealtime(trx, row.workspace_id, [{ type: 'message.updated', payload: { ticketId: row.ticket_id, messageId: item.message_id ?? '' } }], now);
}
