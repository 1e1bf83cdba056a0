// Files that arrived inside a delivery (an email's parts) are put in attachment storage and recorded for
// the channel's workspace before their message is stored, so the message can name them; they are linked
// to it once it is stored, and removed when it turns out to be a duplicate or is not stored.
import type { Attachment } from '../../channels/types.js';
import type { DeliveredFile } from '../../channels/inbound-events.js';
import type { ChannelRow } from '../../db/schema.js';
import { displayNameOf } from '../../domain/attachment-types.js';
import { newId } from '../../lib/ids.js';
import type { AttachmentStorage } from '../attachments/attachment-storage.js';
import type { Deps } from '../deps.js';

export interface StoredFiles {
  attachments: Attachment[];
  /** Ties the files to the message that was stored. */
  link(messageId: string): Promise<void>;
  /** Removes the files and their records. */
  discard(): Promise<void>;
}

export async function storeDeliveredFiles(deps: Pick<Deps, 'store' | 'clock'>, storage: AttachmentStorage, channel: ChannelRow, files: DeliveredFile[]): Promise<StoredFiles> {
  const rows: { id: string; storage_key: string }[] = [];
  const attachments: Attachment[] = [];
  try {
    for (const file of files) {
      const key = newId();
      const content = await storage.put(key, file.content);
      const row = {
        id: newId(),
        workspace_id: channel.workspace_id,
        storage_key: key,
        file_name: displayNameOf(file.fileName ?? undefined),
        content_type: file.contentType,
        size_bytes: content.size,
        sha256: content.sha256,
        uploaded_by_user_id: null,
        message_id: null,
        created_at: deps.clock.now(),
      };
      rows.push(row);
      await deps.store.unit((trx) => trx.insertInto('attachments').values(row).execute());
      attachments.push({ attachmentId: row.id, fileName: row.file_name, contentType: row.content_type, size: row.size_bytes, storageKey: key, inline: file.inline });
    }
  } catch (error) {
    await discardRows(deps, storage, rows);
    throw error;
  }
  return {
    attachments,
    link: async (messageId) => {
      if (rows.length === 0) return;
      await deps.store.unit((trx) => trx.updateTable('attachments').set({ message_id: messageId }).where('id', 'in', rows.map((r) => r.id)).execute());
    },
    discard: () => discardRows(deps, storage, rows),
  };
}

async function discardRows(deps: Pick<Deps, 'store'>, storage: AttachmentStorage, rows: { id: string; storage_key: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await deps.store.unit((trx) => trx.deleteFrom('attachments').where('id', 'in', rows.map((r) => r.id)).execute());
  for (const row of rows) await storage.delete(row.storage_key);
}
