// Files an agent uploaded but never sent (the message was abandoned) are deleted a day later, rows and
// bytes, a batch at a time. A file still being written about is claimed long before then; one sent after
// it was pruned is refused with ATTACHMENT_NOT_FOUND and can be uploaded again.
import { DAY } from '../../domain/clock.js';
import type { Deps } from '../deps.js';
import type { AttachmentStorage } from './attachment-storage.js';

export const UNSENT_UPLOAD_RETENTION_MS = DAY;
const BATCH = 500;

/** Deletes uploads older than the retention that no message took; returns how many. */
export async function pruneUnsentUploads(deps: Pick<Deps, 'store'>, storage: AttachmentStorage, now: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    // Rows first: once they are gone no message can claim the file, so deleting its bytes is safe.
    const keys = await deps.store.unit(async (trx) => {
      const due = await trx
        .selectFrom('attachments')
        .select(['id', 'storage_key'])
        .where('message_id', 'is', null)
        .where('uploaded_by_user_id', 'is not', null)
        .where('created_at', '<', now - UNSENT_UPLOAD_RETENTION_MS)
        .limit(BATCH)
        .execute();
      if (due.length === 0) return [];
      const gone = await trx
        .deleteFrom('attachments')
        .where('id', 'in', due.map((d) => d.id))
        .where('message_id', 'is', null)
        .returning('storage_key')
        .execute();
      return gone.map((g) => g.storage_key);
    });
    for (const key of keys) await storage.delete(key);
    deleted += keys.length;
    if (keys.length < BATCH) return deleted;
  }
}
