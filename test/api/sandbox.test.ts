// The sandbox as `npm start` runs it, on each engine: the real server with its jobs and fake providers.
// A customer written as in the simulator arrives through the channel's real path (a signed webhook, or
// SMTP), the agent's reply goes out through the fake provider and shows in what the brand sent, and the
// fake's delivery statuses come back signed. Live channels and other workspaces are refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { seedDemo } from '../../src/modules/demo/seed-demo.js';
import { insertWorkspace } from '../../src/modules/workspaces/workspace.repo.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { ENGINES, openTestStore, type TestStore } from '../support/stores.js';
import { systemClock } from '../../src/domain/clock.js';

const ARRIVAL = { timeout: 15_000, interval: 50 };

describe.each(ENGINES)('the sandbox and its simulator on %s', (engine) => {
  let db: TestStore;
  let server: RunningServer;
  let dataDir: string;
  let cookie = '';
  const channels: Record<string, string> = {};

  async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: { cookie, origin: server.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  const simulate = (body: Record<string, unknown>) => call('POST', '/api/sandbox/customer-messages', body);

  /** The customer's ticket on the channel, once the processing job has stored their message. */
  async function ticketOf(channelId: string, text: string) {
    let found: any;
    await vi.waitFor(async () => {
      const list = await call('GET', `/api/tickets?channelId=${channelId}&q=${encodeURIComponent(text)}`);
      found = list.body.tickets[0];
      expect(found).toBeDefined();
    }, ARRIVAL);
    return (await call('GET', `/api/tickets/${found.id}`)).body;
  }

  beforeAll(async () => {
    db = await openTestStore(engine);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-sandbox-api-'));
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    // The test store is closed by its own dispose, after the server.
    server = await startServer(config, createLogger('silent'), { ...db.store, close: async () => undefined });
    // As `npm start` does: the demo is seeded once the server runs, so its sandbox channels are new to it.
    const seeded = await seedDemo(server.deps);
    if (!seeded.created) throw new Error('expected a fresh demo workspace');
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: seeded.email, password: seeded.password }) });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    for (const channel of (await call('GET', '/api/channels')).body.channels) channels[channel.kind] = channel.id;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await db?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a WhatsApp customer writes through the signed webhook, the reply goes out through the fake Graph API and comes back read', async () => {
    const answer = await simulate({ channelId: channels.whatsapp, from: '+49 151 2345 6789', name: 'Lena Vogel', text: 'Is the blue kettle back in stock?' });
    expect(answer).toEqual({ status: 202, body: { accepted: true } });
    const detail = await ticketOf(channels.whatsapp!, 'blue kettle');
    expect(detail.ticket.contact.name).toBe('Lena Vogel');
    expect(detail.messages.map((m: any) => [m.direction, m.body])).toEqual([['inbound', 'Is the blue kettle back in stock?']]);

    const reply = await call('POST', `/api/tickets/${detail.ticket.id}/replies`, { message: { kind: 'text', body: 'Yes, since this morning!' } });
    expect(reply.status).toBe(201);
    await vi.waitFor(async () => {
      const sent = (await call('GET', `/api/sandbox/channels/${channels.whatsapp}/sent`)).body.sent;
      expect(sent).toContainEqual(expect.objectContaining({ to: '4915123456789', kind: 'text', text: 'Yes, since this morning!' }));
    }, ARRIVAL);
    // The fake posts sent, delivered and read statuses, signed with the channel's app secret.
    await vi.waitFor(async () => {
      const messages = (await call('GET', `/api/tickets/${detail.ticket.id}`)).body.messages;
      expect(messages.find((m: any) => m.id === reply.body.message.id).status).toBe('read');
    }, ARRIVAL);
  });

  it('a username-only WhatsApp customer writes by BSUID, is answered at the BSUID, and the receipts naming only it come back read', async () => {
    const answer = await simulate({ channelId: channels.whatsapp, from: 'US.13491208655302741918', username: 'jo.kettles', text: 'Any green kettles left?' });
    expect(answer).toEqual({ status: 202, body: { accepted: true } });
    const detail = await ticketOf(channels.whatsapp!, 'green kettles');
    expect(detail.ticket.contact.name).toBe('jo.kettles');
    const reply = await call('POST', `/api/tickets/${detail.ticket.id}/replies`, { message: { kind: 'text', body: 'Two left!' } });
    expect(reply.status).toBe(201);
    await vi.waitFor(async () => {
      const sent = (await call('GET', `/api/sandbox/channels/${channels.whatsapp}/sent`)).body.sent;
      expect(sent).toContainEqual(expect.objectContaining({ to: 'US.13491208655302741918', kind: 'text', text: 'Two left!' }));
    }, ARRIVAL);
    await vi.waitFor(async () => {
      const messages = (await call('GET', `/api/tickets/${detail.ticket.id}`)).body.messages;
      expect(messages.find((m: any) => m.id === reply.body.message.id).status).toBe('read');
    }, ARRIVAL);
  });

  it('an Instagram comment and a direct message from the same person thread into one ticket', async () => {
    const from = '17841400000000777';
    expect((await simulate({ channelId: channels.instagram, from, name: 'mila.makes', text: 'Love this mug, what size is it?', comment: { mediaId: '18000000000000001' } })).status).toBe(202);
    const afterComment = await ticketOf(channels.instagram!, 'what size');
    expect(afterComment.messages.map((m: any) => m.kind)).toEqual(['comment']);
    expect((await simulate({ channelId: channels.instagram, from, text: 'Sent you a DM about the mug too' })).status).toBe(202);
    await vi.waitFor(async () => {
      const messages = (await call('GET', `/api/tickets/${afterComment.ticket.id}`)).body.messages;
      expect(messages.map((m: any) => [m.kind, m.body])).toEqual([
        ['comment', 'Love this mug, what size is it?'],
        ['text', 'Sent you a DM about the mug too'],
      ]);
    }, ARRIVAL);
  });

  it('an email customer writes over SMTP and the ticket takes the subject', async () => {
    expect((await simulate({ channelId: channels.email, from: 'noor@example.org', name: 'Noor Haddad', subject: 'Wrong size delivered', text: 'I ordered an M and got an XL.' })).status).toBe(202);
    const detail = await ticketOf(channels.email!, 'Wrong size delivered');
    expect(detail.ticket.subject).toBe('Wrong size delivered');
    expect(detail.messages[0].body).toContain('I ordered an M and got an XL.');
  });

  it('refuses live channels, other workspaces, and addresses that are not the channel’s kind, storing nothing', async () => {
    const now = systemClock.now(); // the clock the server under test runs on
    const demoWorkspace = (await call('GET', '/api/auth/me')).body.user.workspaceId as string;
    const live = await insertChannel(db.store.db, { workspaceId: demoWorkspace, kind: 'whatsapp', name: 'Live', externalId: `1${String(now).slice(-12)}`, secrets: { appSecret: 'live-app-secret-0123456789', accessToken: 'x'.repeat(30) } }, now);
    const elsewhere = await insertWorkspace(db.store.db, 'Another brand', now);
    const foreign = await insertChannel(db.store.db, { workspaceId: elsewhere.id, kind: 'whatsapp', name: 'Theirs', externalId: `sandbox-foreign-${now}`, sandbox: true }, now);
    const before = await db.store.db.selectFrom('inbound_payloads').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();

    expect(await simulate({ channelId: live.id, from: '+15550001234', text: 'hello' })).toMatchObject({ status: 409, body: { error: { code: 'CHANNEL_NOT_SANDBOX' } } });
    expect(await simulate({ channelId: foreign.id, from: '+15550001234', text: 'hello' })).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await simulate({ channelId: channels.whatsapp, from: 'not a phone', text: 'hello' })).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    expect(await simulate({ channelId: channels.whatsapp, from: '+15550001234', text: 'hello', surprise: true })).toMatchObject({ status: 400 });
    expect((await call('GET', `/api/sandbox/channels/${foreign.id}/sent`)).status).toBe(404);

    const after = await db.store.db.selectFrom('inbound_payloads').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});
