// The fake's media (channels.md §A.4.4, §A.7): bytes kept under numeric media ids, uploaded as
// multipart like `POST /{phone-number-id}/media`, described by `GET /{media-id}` with a short-lived
// download URL that only answers with the bearer token.
import { createHash, randomInt } from 'node:crypto';
import { whatsappError, type GraphErrorAnswer } from './graph-errors.js';

export interface FakeMedia {
  id: string;
  bytes: Buffer;
  mimeType: string;
  sha256: string;
  filename: string | null;
  /** The number it was uploaded through; null for media a test added (readable with any known token). */
  phoneNumberId: string | null;
}

export class MediaStore {
  private readonly items = new Map<string, FakeMedia>();
  private next = randomInt(100_000_000, 900_000_000);

  add(bytes: Buffer | Uint8Array | string, mimeType: string, options: { phoneNumberId?: string; filename?: string } = {}): FakeMedia {
    this.next += 1;
    const buffer = Buffer.from(bytes);
    const media: FakeMedia = {
      id: `3000${this.next}000`,
      bytes: buffer,
      mimeType,
      sha256: createHash('sha256').update(buffer).digest('hex'),
      filename: options.filename ?? null,
      phoneNumberId: options.phoneNumberId ?? null,
    };
    this.items.set(media.id, media);
    return media;
  }

  get(id: string): FakeMedia | undefined {
    return this.items.get(id);
  }

  delete(id: string): boolean {
    return this.items.delete(id);
  }
}

/** The fields of an upload form, read with the platform's own multipart parser. */
export async function readUpload(raw: Buffer, contentType: string | undefined): Promise<{ ok: true; bytes: Buffer; mimeType: string; filename: string | null } | { ok: false; error: GraphErrorAnswer }> {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) return { ok: false, error: whatsappError(100, 'The upload must be multipart/form-data.') };
  let form: FormData;
  try {
    form = await new Request('http://fake-graph.invalid/upload', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
  } catch {
    return { ok: false, error: whatsappError(100, 'The multipart body could not be read.') };
  }
  const product = form.get('messaging_product');
  if (product === null) return { ok: false, error: whatsappError(131008, 'The parameter messaging_product is required.') };
  if (product !== 'whatsapp') return { ok: false, error: whatsappError(100, "Param messaging_product must be 'whatsapp'.") };
  const file = form.get('file');
  if (file === null || typeof file === 'string') return { ok: false, error: whatsappError(131008, 'The parameter file is required.') };
  const typeField = form.get('type');
  const mimeType = (typeof typeField === 'string' && typeField) || file.type;
  if (!mimeType) return { ok: false, error: whatsappError(131008, 'The parameter type is required.') };
  return { ok: true, bytes: Buffer.from(await file.arrayBuffer()), mimeType, filename: file.name || null };
}
