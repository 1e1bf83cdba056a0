// Attachments over real HTTP on both engines: upload, details, download, and every refusal leaving nothing behind.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWorld } from '../support/factories.js';
import { useApi, type ApiContext } from '../support/api.js';
import { ENGINES } from '../support/stores.js';

const KiB = 1024;

/** PNG bytes a sniffer recognises: the signature, a header chunk and one data chunk filling the rest. */
function png(size: number): Buffer {
  const head = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 16, 0, 0, 0, 16, 8, 6, 0, 0, 0, 0, 0, 0, 0]);
  const dataLength = size - head.length - 8;
  const chunk = Buffer.alloc(8);
  chunk.writeUInt32BE(dataLength, 0);
  chunk.write('IDAT', 4, 'latin1');
  return Buffer.concat([head, chunk, randomBytes(dataLength)]);
}

const pdf = () => Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** Every file under a folder, temporary ones included. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

interface Sent {
  status: number;
  body: any;
  headers: Headers;
}

async function send(api: ApiContext, body: RequestInit['body'], headers: Record<string, string>): Promise<Sent> {
  const response = await fetch(`${api.url}/api/attachments`, { method: 'POST', body, headers });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

/** Uploads one file with FormData, as a browser would, signed in by cookie or token. */
function upload(api: ApiContext, auth: { cookie?: string; token?: string }, file: { bytes: Uint8Array; type: string; name: string }, field = 'file'): Promise<Sent> {
  const form = new FormData();
  form.append(field, new Blob([file.bytes], { type: file.type }), file.name);
  const headers: Record<string, string> = {};
  if (auth.cookie) Object.assign(headers, { cookie: auth.cookie, origin: api.url });
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  return send(api, form, headers);
}

/** A multipart body written by hand, for part headers FormData would rewrite. */
function handWritten(api: ApiContext, cookie: string, partHeaders: string[], content: Buffer): Promise<Sent> {
  const boundary = `threadbox-${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\n${partHeaders.join('\r\n')}\r\n\r\n`, 'utf8'), content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return send(api, body, { cookie, origin: api.url, 'content-type': `multipart/form-data; boundary=${boundary}` });
}

async function download(api: ApiContext, cookie: string, id: string) {
  const response = await fetch(`${api.url}/api/attachments/${id}/content`, { headers: { cookie } });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

const rows = (api: ApiContext) => api.db.store.db.selectFrom('attachments').selectAll().execute();

async function expectNothingStored(api: ApiContext) {
  expect(await rows(api)).toEqual([]);
  expect(filesUnder(api.attachmentsDir)).toEqual([]);
}

describe.each(ENGINES)('the attachments API (%s)', (engine) => {
  const api = useApi(engine);
  const agentCookie = async () => api.signIn((await api.addUser('agent')).email);

  it('an uploaded file downloads byte for byte, with its details, even when larger than the JSON body limit', async () => {
    const agent = await api.addUser('agent');
    const cookie = await api.signIn(agent.email);
    const bytes = png(1536 * KiB);

    const created = await upload(api, { cookie }, { bytes, type: 'image/png', name: 'photo.png' });

    expect(created.status).toBe(201);
    const { attachment } = created.body;
    expect(attachment).toEqual({ id: expect.any(String), fileName: 'photo.png', contentType: 'image/png', sizeBytes: bytes.length, createdAt: api.world.clock.now(), url: `/api/attachments/${attachment.id}/content` });
    const got = await download(api, cookie, attachment.id);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-length')).toBe(String(bytes.length));
    const details = await api.call('GET', `/api/attachments/${attachment.id}`, { cookie });
    expect(details).toMatchObject({ status: 200, body: { attachment } });
    const [row] = await rows(api);
    expect(row).toMatchObject({ workspace_id: api.world.workspaceId, uploaded_by_user_id: agent.userId, message_id: null, sha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it('images are served inline and documents as downloads, never sniffed and never run as a page of the site', async () => {
    const cookie = await agentCookie();
    const image = (await upload(api, { cookie }, { bytes: png(2 * KiB), type: 'image/png', name: 'photo.png' })).body.attachment;
    const document = (await upload(api, { cookie }, { bytes: pdf(), type: 'application/pdf', name: 'Invoice 7.pdf' })).body.attachment;

    const shown = await download(api, cookie, image.id);
    const saved = await download(api, cookie, document.id);

    expect(shown.headers.get('content-disposition')).toBe(`inline; filename="photo.png"; filename*=UTF-8''photo.png`);
    expect(saved.headers.get('content-disposition')).toBe(`attachment; filename="Invoice 7.pdf"; filename*=UTF-8''Invoice%207.pdf`);
    expect(saved.headers.get('content-type')).toBe('application/pdf');
    for (const response of [shown, saved]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toBe('sandbox');
    }
  });

  it("a name with a path, quotes and accents is kept only as the name shown; the file on disk is named by a generated id", async () => {
    const cookie = await agentCookie();
    const sent = await handWritten(
      api,
      cookie,
      [`Content-Disposition: form-data; name="file"; filename="../../etc/Résumé \\"final\\" (v2)\u202efdp.txt"`, 'Content-Type: text/plain'],
      Buffer.from('Plain words.\n'),
    );

    expect(sent.status).toBe(201);
    expect(sent.body.attachment.fileName).toBe('Résumé "final" (v2)fdp.txt');
    const [row] = await rows(api);
    expect(row!.storage_key).toMatch(/^[0-9a-f-]{36}$/);
    expect(row!.storage_key).not.toBe(row!.id);
    expect(filesUnder(api.attachmentsDir)).toEqual([path.join(api.attachmentsDir, row!.storage_key.slice(-2), row!.storage_key)]);
    const got = await download(api, cookie, row!.id);
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename="R_sum_ _final_ (v2)fdp.txt"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%20%28v2%29fdp.txt`);
    expect(got.bytes.toString()).toBe('Plain words.\n');
  });

  it('a file sent as application/octet-stream takes the type its bytes show', async () => {
    const cookie = await agentCookie();
    const created = await upload(api, { cookie }, { bytes: png(4 * KiB), type: 'application/octet-stream', name: 'scan' });
    expect(created.status).toBe(201);
    expect(created.body.attachment.contentType).toBe('image/png');
  });

  it('an integration can upload with an API token', async () => {
    const cookie = await agentCookie();
    const { token } = (await api.call('POST', '/api/tokens', { cookie, body: { name: 'CRM' } })).body;
    const created = await upload(api, { token }, { bytes: pdf(), type: 'application/pdf', name: 'quote.pdf' });
    expect(created.status).toBe(201);
  });

  it('bytes that contradict the declared type are refused with 415 and nothing is kept', async () => {
    const cookie = await agentCookie();
    // Larger than the socket buffers: refused after the first bytes, the rest still read so the answer arrives.
    const pdfAsPng = await upload(api, { cookie }, { bytes: Buffer.concat([pdf(), randomBytes(3 * 1024 * KiB)]), type: 'image/png', name: 'photo.png' });
    const pngAsPdf = await upload(api, { cookie }, { bytes: png(8 * KiB), type: 'application/pdf', name: 'doc.pdf' });
    const textAsJpeg = await upload(api, { cookie }, { bytes: Buffer.from('not a picture'), type: 'image/jpeg', name: 'photo.jpg' });

    expect(pdfAsPng.status).toBe(415);
    expect(pdfAsPng.body.error).toMatchObject({ code: 'ATTACHMENT_TYPE_MISMATCH', details: { declared: 'image/png', detected: 'application/pdf' } });
    expect(pngAsPdf.body.error.code).toBe('ATTACHMENT_TYPE_MISMATCH');
    expect(textAsJpeg.body.error).toMatchObject({ code: 'ATTACHMENT_TYPE_MISMATCH', details: { detected: null } });
    await expectNothingStored(api);
  });

  it('types that may not be attached are refused with 415 and nothing is kept', async () => {
    const cookie = await agentCookie();
    const html = await upload(api, { cookie }, { bytes: Buffer.from('<html><script>alert(1)</script></html>'), type: 'text/html', name: 'page.html' });
    const svg = await upload(api, { cookie }, { bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), type: 'image/svg+xml', name: 'logo.svg' });
    const unknownText = await upload(api, { cookie }, { bytes: Buffer.from('no signature here'), type: 'application/octet-stream', name: 'blob' });

    expect(html.status).toBe(415);
    expect(html.body.error).toMatchObject({ code: 'ATTACHMENT_TYPE_NOT_ALLOWED', details: { contentType: 'text/html' } });
    expect(svg.body.error.code).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
    expect(unknownText.status).toBe(415);
    expect(unknownText.body.error.code).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
    await expectNothingStored(api);
  });

  it('an empty file is refused with 400 and nothing is kept', async () => {
    const cookie = await agentCookie();
    const empty = await upload(api, { cookie }, { bytes: new Uint8Array(), type: 'text/plain', name: 'empty.txt' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('ATTACHMENT_EMPTY');
    await expectNothingStored(api);
  });

  it('a request without a file part named "file" is refused with 400', async () => {
    const cookie = await agentCookie();
    const fieldsOnly = new FormData();
    fieldsOnly.append('note', 'no file here');
    const refusals = [
      await send(api, fieldsOnly, { cookie, origin: api.url }),
      await upload(api, { cookie }, { bytes: pdf(), type: 'application/pdf', name: 'quote.pdf' }, 'document'),
      await send(api, JSON.stringify({ file: 'aGVsbG8=' }), { cookie, origin: api.url, 'content-type': 'application/json' }),
      await send(api, undefined, { cookie, origin: api.url }),
      await send(api, 'this is not multipart', { cookie, origin: api.url, 'content-type': 'multipart/form-data; boundary=xyz' }),
    ];
    for (const refusal of refusals) {
      expect(refusal.status).toBe(400);
      expect(refusal.body.error.code).toBe('ATTACHMENT_MISSING');
    }
    await expectNothingStored(api);
  });

  it('anonymous callers can neither upload nor read', async () => {
    const cookie = await agentCookie();
    const { id } = (await upload(api, { cookie }, { bytes: pdf(), type: 'application/pdf', name: 'quote.pdf' })).body.attachment;

    const anonymous = await upload(api, {}, { bytes: pdf(), type: 'application/pdf', name: 'other.pdf' });

    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    expect((await api.call('GET', `/api/attachments/${id}`)).status).toBe(401);
    expect((await fetch(`${api.url}/api/attachments/${id}/content`)).status).toBe(401);
    expect(await rows(api)).toHaveLength(1);
  });

  it('a cookie upload from another site is refused with 403', async () => {
    const cookie = await agentCookie();
    const form = new FormData();
    form.append('file', new Blob([pdf()], { type: 'application/pdf' }), 'quote.pdf');
    const crossSite = await send(api, form, { cookie, origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('FORBIDDEN');
    await expectNothingStored(api);
  });

  it("another workspace's attachment answers 404, like one that does not exist", async () => {
    const cookie = await agentCookie();
    const { id } = (await upload(api, { cookie }, { bytes: pdf(), type: 'application/pdf', name: 'quote.pdf' })).body.attachment;
    const other = await buildWorld(api.db.store);
    const outsider = await api.signIn((await api.addUser('admin', other)).email);

    for (const path of [`/api/attachments/${id}`, `/api/attachments/${id}/content`, '/api/attachments/0190a1b2-0000-7000-8000-000000000000/content']) {
      const response = await api.call('GET', path, { cookie: outsider });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('JSON routes keep refusing multipart bodies and JSON bodies over 1 MiB', async () => {
    const cookie = await agentCookie();
    const form = new FormData();
    form.append('name', 'CRM');
    const multipartToJsonRoute = await fetch(`${api.url}/api/tokens`, { method: 'POST', body: form, headers: { cookie, origin: api.url } });
    const hugeJson = await send(api, JSON.stringify({ file: 'x'.repeat(1100 * KiB) }), { cookie, origin: api.url, 'content-type': 'application/json' });

    expect(multipartToJsonRoute.status).toBe(400);
    expect(((await multipartToJsonRoute.json()) as any).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(hugeJson.status).toBe(400);
    expect(hugeJson.body.error.code).toBe('BODY_TOO_LARGE');
  });

  it('the API document describes the upload as a multipart form', async () => {
    const doc = (await api.call('GET', '/api/openapi.json')).body;
    const uploadDoc = doc.paths['/api/attachments'].post;
    expect(Object.keys(uploadDoc.requestBody.content)).toEqual(['multipart/form-data']);
    expect(Object.keys(uploadDoc.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '413', '415']));
    expect(doc.paths['/api/attachments/{id}/content'].get).toBeDefined();
  });
});

describe.each(ENGINES)('the attachment size limit (%s)', (engine) => {
  const limit = 64 * KiB;
  const api = useApi(engine, { attachmentMaxBytes: limit });

  it('a file over the limit is refused with 413 and leaves no file and no row', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const tooLarge = await upload(api, { cookie }, { bytes: png(limit + 1), type: 'image/png', name: 'big.png' });
    const muchTooLarge = await upload(api, { cookie }, { bytes: png(10 * limit), type: 'image/png', name: 'huge.png' });

    for (const refusal of [tooLarge, muchTooLarge]) {
      expect(refusal.status).toBe(413);
      expect(refusal.body.error).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE', details: { maxBytes: limit } });
    }
    expect(tooLarge.body.error.message).toContain('64 KiB');
    await expectNothingStored(api);
  });

  it('a file of exactly the limit is accepted', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const bytes = png(limit);
    const created = await upload(api, { cookie }, { bytes, type: 'image/png', name: 'exact.png' });
    expect(created.status).toBe(201);
    expect((await download(api, cookie, created.body.attachment.id)).bytes.equals(bytes)).toBe(true);
  });
});
