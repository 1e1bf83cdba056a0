// An agent attaches a file: its type is checked against its bytes and its size against the limit while it
// streams to storage, and it is recorded only once its bytes are durable.
import { Readable } from 'node:stream';
import { checkDeclaredType, contentTypeOf, declaredTypeOf, displayNameOf, fileEmpty, fileTooLarge } from '../../domain/attachment-types.js';
import { newId } from '../../lib/ids.js';
import type { Deps } from '../deps.js';
import type { AttachmentStorage } from './attachment-storage.js';
import { viewOfAttachment, type AttachmentView } from './attachment.repo.js';
import { SNIFF_BYTES, sniffContentType } from './sniff-content-type.js';

export interface Upload {
  /** The name the file was sent with; shown only, never used as a path. */
  fileName: string | undefined;
  /** The type the file was sent as. */
  contentType: string | undefined;
  content: AsyncIterable<Buffer>;
}

export interface Uploader {
  workspaceId: string;
  /** Null for an integration. */
  userId: string | null;
}

/**
 * Stores an upload and records it for the uploader's workspace. Refuses a type that may not be attached,
 * bytes that contradict the declared type, an empty file and one over `maxBytes`; after a refusal nothing
 * is stored or recorded.
 */
export async function uploadAttachment(
  deps: Pick<Deps, 'store' | 'clock'>,
  storage: AttachmentStorage,
  uploader: Uploader,
  upload: Upload,
  limits: { maxBytes: number },
): Promise<AttachmentView> {
  const declared = declaredTypeOf(upload.contentType, upload.fileName);
  checkDeclaredType(declared);
  let contentType = declared;
  const key = newId();
  const stored = await storage.put(
    key,
    Readable.from(
      checkedContent(upload.content, limits.maxBytes, async (head) => {
        contentType = contentTypeOf(declared, await sniffContentType(head));
      }),
    ),
  );
  const row = {
    id: newId(),
    workspace_id: uploader.workspaceId,
    storage_key: key,
    file_name: displayNameOf(upload.fileName),
    content_type: contentType,
    size_bytes: stored.size,
    sha256: stored.sha256,
    uploaded_by_user_id: uploader.userId,
    message_id: null,
    created_at: deps.clock.now(),
  };
  try {
    await deps.store.unit((trx) => trx.insertInto('attachments').values(row).execute());
  } catch (error) {
    await storage.delete(key);
    throw error;
  }
  return viewOfAttachment(row);
}

/**
 * Passes the content through, failing it as soon as it exceeds the limit, and holding back the first
 * bytes until `checkHead` has accepted them, so refused content never reaches storage whole.
 */
async function* checkedContent(content: AsyncIterable<Buffer>, maxBytes: number, checkHead: (head: Buffer) => Promise<void>): AsyncGenerator<Buffer> {
  let size = 0;
  let head: Buffer[] | null = [];
  let headSize = 0;
  for await (const chunk of content) {
    size += chunk.length;
    if (size > maxBytes) throw fileTooLarge(maxBytes);
    if (!head) {
      yield chunk;
      continue;
    }
    head.push(chunk);
    headSize += chunk.length;
    if (headSize >= SNIFF_BYTES) {
      const bytes = Buffer.concat(head);
      head = null;
      await checkHead(bytes);
      yield bytes;
    }
  }
  if (size === 0) throw fileEmpty();
  if (head) {
    const bytes = Buffer.concat(head);
    await checkHead(bytes);
    yield bytes;
  }
}
