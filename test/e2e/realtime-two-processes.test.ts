// Two real `threadbox serve` processes on one PostgreSQL database, as a scaled-out deployment runs them:
// an inbox streaming from one process hears a ticket that an agent creates through the other.
// PostgreSQL only, and never skipped: without a server the global setup fails the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { hashPassword } from '../../src/modules/users/password.js';
import { insertUser } from '../../src/modules/users/user.repo.js';
import { insertWorkspace } from '../../src/modules/workspaces/workspace.repo.js';
import { startCli, type ServingCli } from '../support/cli.js';
import { openEventStream } from '../support/sse.js';
import { openTestStore, type TestStore } from '../support/stores.js';
import { systemClock } from '../../src/domain/clock.js';

const PASSWORD = 'correct horse battery staple';
const STARTUP = { timeout: 60_000, interval: 100 };

/** Stops a server gracefully, or for good if it has not exited after a while, so no process outlives the test. */
async function shutDown(server: ServingCli): Promise<number | null> {
  const force = setTimeout(() => server.process.kill('SIGKILL'), 20_000);
  try {
    return await server.stop();
  } finally {
    clearTimeout(force);
  }
}

describe('realtime across two server processes on PostgreSQL', () => {
  let db: TestStore;
  let dataDir: string;
  let channelId: string;
  let email: string;
  const servers: ServingCli[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    db = await openTestStore('postgres');
    await db.store.migrate();
    const now = systemClock.now(); // the clock the servers under test run on
    const workspace = await insertWorkspace(db.store.db, 'Two processes', now);
    channelId = (await insertChannel(db.store.db, { workspaceId: workspace.id, kind: 'whatsapp', name: 'WhatsApp sandbox', externalId: `wa-two-${now}`, sandbox: true }, now)).id;
    email = `agent-${now}@brand.test`;
    await insertUser(db.store.db, { workspaceId: workspace.id, email, name: 'Ana', role: 'agent', passwordHash: await hashPassword(PASSWORD) }, now);

    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-two-'));
    const env = { DATA_DIR: dataDir, DATABASE_URL: db.databaseUrl, HOST: '127.0.0.1', PORT: '0', JOBS: 'off' };
    servers.push(startCli(['serve'], env), startCli(['serve'], env));
    for (const server of servers) {
      const [, url] = await server.waitFor(/listening on (http:\/\/\S+)/, STARTUP.timeout);
      urls.push(url!);
    }
    for (const url of urls) await vi.waitFor(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), STARTUP);
  });

  afterAll(async () => {
    await Promise.all(servers.map(shutDown));
    await db?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a client streaming from process 1 receives ticket.created and message.created for a ticket created through process 2', async () => {
    const [first, second] = urls as [string, string];
    expect(first).not.toBe(second);

    const login = await fetch(`${second}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const asAgent = (url: string, body: unknown) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', cookie, origin: new URL(url).origin }, body: JSON.stringify(body) });
    const minted = await asAgent(`${second}/api/tokens`, { name: 'inbox on process 1' });
    expect(minted.status).toBe(201);
    const { token } = (await minted.json()) as { token: string };

    const stream = await openEventStream(first, { authorization: `Bearer ${token}` });
    try {
      // The stream subscribes before it says so; from here on nothing the workspace publishes is missed.
      await vi.waitFor(() => expect(stream.comments).toContain('connected'), STARTUP);

      const created = await asAgent(`${second}/api/tickets`, {
        channelId,
        contact: { address: '15550009876', name: 'Oliver' },
        message: { kind: 'template', template: { name: 'follow_up', language: 'en_US', parameters: { body: ['Oliver'] } } },
      });
      expect(created.status).toBe(201);
      const { ticket, message } = (await created.json()) as { ticket: { id: string }; message: { id: string } };

      await vi.waitFor(() => expect(stream.events.map((e) => e.event)).toEqual(['ticket.created', 'message.created']), { timeout: 20_000, interval: 20 });
      expect(stream.events[0]!.data).toEqual({ ticketId: ticket.id });
      expect(stream.events[1]!.data).toEqual({ ticketId: ticket.id, messageId: message.id });
      expect(stream.events[1]!.id).toBeGreaterThan(stream.events[0]!.id);
    } finally {
      await stream.close();
    }

    // Both processes shut down cleanly with their listening connections open.
    expect(await Promise.all(servers.map(shutDown))).toEqual([0, 0]);
  });
});
