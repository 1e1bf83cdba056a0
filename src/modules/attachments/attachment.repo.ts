// Attachment rows, always read within the caller's workspace.
import type { Kysely } from 'kysely';
import type { AttachmentRow, Database } from '../../db/schema.js';
import { notFound } from '../../domain/errors.js';

export interface AttachmentView {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  createdAt: number;
  /** Where the bytes are downloaded from. */
  url: string;
}

export function viewOfAttachment(row: Pick<AttachmentRow, 'id' | 'file_name' | 'content_type' | 'size_bytes' | 'created_at'>): AttachmentView {
  return { id: row.id, fileName: row.file_name, contentType: row.content_type, sizeBytes: row.size_bytes, createdAt: row.created_at, url: `/api/attachments/${row.id}/content` };
}

/** An attachment of the workspace; one of another workspace is not found, like one that does not exist. */
export async function getAttachment(db: Kysely<Database>, workspaceId: string, id: string): Promise<AttachmentRow> {
  const row = await db.selectFrom('attachments').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('The attachment');
  return row;
}
