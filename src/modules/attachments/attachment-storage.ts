// Where attachment bytes live. Keys are ids the application generates, never names people chose.
import type { Readable } from 'node:stream';

export interface StoredContent {
  size: number;
  /** Hex SHA-256 of the bytes as stored. */
  sha256: string;
}

export interface AttachmentStorage {
  /**
   * Stores the bytes under a new key and resolves once they are durable. If the content fails part-way
   * (a stream error, a refused upload), nothing is left under the key and the error is passed on.
   */
  put(key: string, content: Readable | Buffer): Promise<StoredContent>;
  /** The bytes under a key; rejects when there are none. */
  get(key: string): Promise<Readable>;
  /** Removes the bytes under a key; a key with nothing under it is not an error. */
  delete(key: string): Promise<void>;
}

/** Refuses keys that could name anything but a file of their own (separators, dots, empty). */
export function assertStorageKey(key: string): void {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(key)) throw new Error(`Not an attachment storage key: ${JSON.stringify(key)}`);
}
