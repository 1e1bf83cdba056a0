// Refusals found from the outside, on both engines: each is a 4xx in the error shape with a stable code,
// never a 500 and never a hang, and leaves nothing stored. The Meta handshake with repeated parameters, cut
// and multi-file uploads, what Fastify's router and Node's HTTP parser refuse, and sign-in from another site.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useApi, type ApiContext } from '../support/api.js';
import { countRows } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { connectWhatsapp, VERIFY_TOKEN } from '../support/whatsapp.js';

const MiB = 1024 * 1024;

/** Asserts the documented error shape with the given status and code. */
async function expectRefusal(response: Response, status: number, code: string) {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error).toMatchObject({ code, message: expect.any(String) });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
}

/** Every file under a folder, temporary ones included. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Sends raw bytes over a new connection and returns everything the server answered before closing. */
function rawRequest(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.setTimeout(5000, () => socket.destroy(new Error('the server neither answered nor closed the connection')));
    socket.end(bytes);
  });
}

function parseRaw(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), head, body: JSON.parse(body) as { error: { code: string; message: string } } };
}

describe.each(ENGINES)('refusals in the error shape (%s)', (engine) => {
  const api = useApi(engine);

  describe("Meta's verification handshake", () => {
    const handshake = (query: string) => fetch(`${api.url}/webhooks/whatsapp?${query}`);

    it('a repeated hub.challenge (or any repeated handshake parameter) is 400 VALIDATION_FAILED, even with the right token', async () => {
      await connectWhatsapp(api);
      await expectRefusal(await handshake(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1&hub.challenge=2`), 400, 'VALIDATION_FAILED');
      await expectRefusal(await handshake(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`), 400, 'VALIDATION_FAILED');
      await expectRefusal(await handshake(`hub.mode=subscribe&hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`), 400, 'VALIDATION_FAILED');
      const ok = await handshake(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=77`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('77');
    });

    it('an unknown token or another mode is 403 FORBIDDEN in the error shape', async () => {
      await connectWhatsapp(api);
      await expectRefusal(await handshake('hub.mode=subscribe&hub.verify_token=tbv_wrong&hub.challenge=1'), 403, 'FORBIDDEN');
      await expectRefusal(await handshake(`hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`), 403, 'FORBIDDEN');
      await expectRefusal(await fetch(`${api.url}/webhooks/instagram`), 403, 'FORBIDDEN');
    });
  });

  describe('uploads', () => {
    const agentCookie = async () => api.signIn((await api.addUser('agent')).email);
    const boundary = () => `threadbox-${randomBytes(8).toString('hex')}`;

    async function post(cookie: string, body: Buffer | FormData, contentType?: string) {
      const headers: Record<string, string> = { cookie, origin: api.url };
      if (contentType) headers['content-type'] = contentType;
      return fetch(`${api.url}/api/attachments`, { method: 'POST', body, headers });
    }

    async function expectNothingStored(a: ApiContext) {
      expect(await countRows(a.db.store, 'attachments')).toBe(0);
      expect(filesUnder(a.attachmentsDir)).toEqual([]);
    }

    /** A one-file form whose body stops after the file's bytes: no closing boundary. */
    function cutShort(content: Buffer) {
      const b = boundary();
      const head = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n`);
      return { body: Buffer.concat([head, content]), contentType: `multipart/form-data; boundary=${b}` };
    }

    it('a form without its closing boundary is 400 INVALID_MULTIPART and stores nothing', async () => {
      const cookie = await agentCookie();
      const { body, contentType } = cutShort(Buffer.from('Hello, this text file never ends'));
      await expectRefusal(await post(cookie, body, contentType), 400, 'INVALID_MULTIPART');
      await expectNothingStored(api);
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    });

    it('a 50 MB form without its closing boundary is 413 ATTACHMENT_TOO_LARGE and stores nothing', async () => {
      const cookie = await agentCookie();
      const { body, contentType } = cutShort(Buffer.alloc(50 * MiB, 'a'));
      await expectRefusal(await post(cookie, body, contentType), 413, 'ATTACHMENT_TOO_LARGE');
      await expectNothingStored(api);
    });

    it('a second file in one upload is 400 ATTACHMENT_TOO_MANY_FILES and stores neither', async () => {
      const cookie = await agentCookie();
      for (const secondField of ['file', 'other']) {
        const form = new FormData();
        form.append('file', new Blob([Buffer.from('first file')], { type: 'text/plain' }), 'one.txt');
        form.append(secondField, new Blob([Buffer.from('second file')], { type: 'text/plain' }), 'two.txt');
        await expectRefusal(await post(cookie, form), 400, 'ATTACHMENT_TOO_MANY_FILES');
        await expectNothingStored(api);
      }
      // A plain field beside the file is not a second file.
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('only file')], { type: 'text/plain' }), 'one.txt');
      form.append('caption', 'a caption');
      expect((await post(cookie, form)).status).toBe(201);
    });
  });

  describe('what the router and the HTTP parser refuse', () => {
    it('a URL that does not decode is 400 BAD_URL', async () => {
      await expectRefusal(await fetch(`${api.url}/api/tickets/%zz`), 400, 'BAD_URL');
      await expectRefusal(await fetch(`${api.url}/api/contacts/%E0%A4%A`), 400, 'BAD_URL');
    });

    it('headers over the limit are 431 HEADERS_TOO_LARGE, a bad request line 400 BAD_REQUEST, and the server stays up', async () => {
      const tooLarge = parseRaw(await rawRequest(api.url, `GET /api/auth/me HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(64 * 1024)}\r\n\r\n`));
      expect(tooLarge.status).toBe(431);
      expect(tooLarge.body.error).toMatchObject({ code: 'HEADERS_TOO_LARGE', message: expect.any(String) });
      const badLine = parseRaw(await rawRequest(api.url, 'THIS IS NOT HTTP\r\n\r\n'));
      expect(badLine.status).toBe(400);
      expect(badLine.body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.any(String) });
      expect(badLine.head).toMatch(/content-type: application\/json/i);
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    });
  });

  describe('signing in from another site (login CSRF)', () => {
    it('an Origin, or lacking it a Referer, of another site is 403 FORBIDDEN and starts no session', async () => {
      const { email } = await api.addUser('agent');
      const body = { email, password: 'correct horse battery staple' };
      const foreign: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: 'null' }, { referer: 'https://evil.example/login' }, { origin: 'https://evil.example', referer: `${api.url}/` }];
      for (const headers of foreign) {
        const refused = await api.call('POST', '/api/auth/login', { body, headers });
        expect(refused.status, JSON.stringify(headers)).toBe(403);
        expect(refused.body.error.code).toBe('FORBIDDEN');
        expect(refused.headers.get('set-cookie')).toBeNull();
      }
      expect(await countRows(api.db.store, 'sessions')).toBe(0);
    });

    it('the same origin, or neither header (curl, scripts), signs in', async () => {
      const { email } = await api.addUser('agent');
      const body = { email, password: 'correct horse battery staple' };
      expect((await api.call('POST', '/api/auth/login', { body, headers: { origin: api.url } })).status).toBe(200);
      expect((await api.call('POST', '/api/auth/login', { body, headers: { referer: `${api.url}/inbox` } })).status).toBe(200);
      expect((await api.call('POST', '/api/auth/login', { body })).status).toBe(200);
    });
  });
});
