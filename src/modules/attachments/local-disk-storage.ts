// Attachment storage on the local disk: one file per key, spread over 256 folders so none grows huge.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { assertStorageKey, type AttachmentStorage, type StoredContent } from './attachment-storage.js';

export class LocalDiskAttachmentStorage implements AttachmentStorage {
  constructor(private readonly root: string) {}

  async put(key: string, content: Readable | Buffer): Promise<StoredContent> {
    const target = this.pathOf(key);
    const folder = path.dirname(target);
    await mkdir(folder, { recursive: true });
    // Written beside the target and renamed into place, so a reader never sees half a file and a crash
    // leaves only a temporary file behind.
    const temporary = path.join(folder, `.${key}.${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const file = await open(temporary, 'wx', 0o640);
    try {
      for await (const chunk of Buffer.isBuffer(content) ? [content] : content) {
        const bytes: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        hash.update(bytes);
        size += bytes.length;
        for (let written = 0; written < bytes.length; ) written += (await file.write(bytes, written)).bytesWritten;
      }
      // On disk before the rename, so a file that exists under its key is whole after a power loss.
      await file.sync();
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
    await file.close();
    try {
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    await syncFolder(folder);
    return { size, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<Readable> {
    // Opened before the caller starts answering, so a missing file fails here rather than mid-response.
    const file = await open(this.pathOf(key), 'r');
    const { size } = await file.stat();
    if (size === 0) {
      await file.close();
      return Readable.from([]);
    }
    // Bounded by the size, so the stream ends with its last bytes instead of after one more read finding
    // the end: a response is complete, and its connection idle, as soon as the client has everything.
    return file.createReadStream({ start: 0, end: size - 1 });
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** The file a key is stored in: `<root>/<last two characters of the key>/<key>`. */
  pathOf(key: string): string {
    assertStorageKey(key);
    return path.join(this.root, key.slice(-2).toLowerCase(), key);
  }
}

/** Makes a rename in a folder durable; platforms that cannot open folders (Windows) skip it. */
async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
  } catch (error) {
    if (process.platform === 'win32') return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!['EISDIR', 'EINVAL', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}
