// The uploaded files an agent sends with a message: each must be the workspace's own and not yet sent with
// another message. Checked and claimed inside the message's transaction, so a refusal leaves nothing behind.
import type { Kysely } from 'kysely';
import { channelRules } from '../../channels/registry.js';
import type { Attachment } from '../../channels/types.js';
import type { Database } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import type { ChannelKind } from '../../domain/reply-policy.js';

/** How many files one message may carry. */
export const MAX_FILES_PER_MESSAGE = 10;

const inUse = (fileName: string, attachmentId: string | null) =>
  new DomainError({
    code: 'ATTACHMENT_IN_USE',
    message: `${fileName} was already sent with another message; upload it again to send it once more.`,
    details: { field: 'attachmentIds', attachmentId },
  });

/** The files behind `ids`, in the order given (duplicates once), as a message carries them. */
export async function uploadedFiles(trx: Kysely<Database>, workspaceId: string, ids: readonly string[]): Promise<Attachment[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return [];
  if (wanted.length > MAX_FILES_PER_MESSAGE) {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: `A message can carry at most ${MAX_FILES_PER_MESSAGE} files.`, details: { field: 'attachmentIds' } });
  }
  const rows = await trx.selectFrom('attachments').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', wanted).execute();
  return wanted.map((id) => {
    const row = rows.find((r) => r.id === id);
    if (!row) {
      throw new DomainError({ code: 'ATTACHMENT_NOT_FOUND', message: 'One of the attached files was not found; upload it again.', details: { field: 'attachmentIds', attachmentId: id } });
    }
    if (row.message_id !== null) throw inUse(`"${row.file_name}"`, id);
    return { attachmentId: row.id, fileName: row.file_name, contentType: row.content_type, size: row.size_bytes, storageKey: row.storage_key };
  });
}

/** Ties the files to the message; a file another message took since it was checked refuses the send. */
export async function claimFiles(trx: Kysely<Database>, workspaceId: string, files: readonly Attachment[], messageId: string): Promise<void> {
  if (files.length === 0) return;
  const ids = files.map((f) => f.attachmentId ?? '');
  const claimed = await trx.updateTable('attachments').set({ message_id: messageId }).where('workspace_id', '=', workspaceId).where('id', 'in', ids).where('message_id', 'is', null).executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== ids.length) throw inUse(files.length === 1 ? (files[0]!.fileName ?? 'The file') : 'One of the files', ids.length === 1 ? ids[0]! : null);
}

/** Refuses, before anything is queued, more uploaded files than the channel sends in one message. */
export function requireUploadsAllowed(kind: ChannelKind, files: readonly Attachment[]): void {
  const limit = channelRules(kind).uploadsPerMessage;
  if (limit && files.length > limit.max) throw new DomainError({ ...limit.refusal, details: { field: 'attachmentIds' } });
}
