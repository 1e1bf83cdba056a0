// A server process whose PostgreSQL goes away: its connections reset (a restart, a failover), refused
// (down) or stalled (a network that swallows packets). The process never exits on its own, requests
// fail fast with 503 STORE_UNAVAILABLE meanwhile, /readyz says so in bounded time, and everything
// resumes by itself once the database is back. The database sits behind a TCP proxy the test controls.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inboundText, metaJson, metaSignature } from '../../src/channels/whatsapp/fake-graph/index.js';
import { systemClock } from '../../src/domain/clock.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { hashPassword } from '../../src/modules/users/password.js';
import { insertUser } from '../../src/modules/users/user.repo.js';
import { insertWorkspace } from '../../src/modules/workspaces/workspace.repo.js';
import { startCli, type ServingCli } from '../support/cli.js';
import { openTestStore, type TestStore } from '../support/stores.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const PASSWORD = 'correct horse battery staple';
const APP_SECRET = 'outage-app-secret-0123456789';
const PHONE_NUMBER_ID = '200000000000077';
const STARTUP = { timeout: 60_000, interval: 100 };
const RECOVERY = { timeout: 20_000, interval: 100 };

describe('a server process whose PostgreSQL goes away (postgres, behind a TCP proxy)', () => {
  let db: TestStore;
  let proxy: TcpProxy;
  let server: ServingCli;
  let dataDir: string;
  let url = '';
  let token = '';
  let serveEnv: Record<string, string> = {};
  let sequence = 0;

  /** A signed WhatsApp delivery of one new customer message; resolves with the status and body. */
  const deliver = async () => {
    sequence += 1;
    const payload = inboundText({ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '15550007777', waId: `1555000${String(sequence).padStart(4, '0')}`, name: 'Dana', text: `hello ${sequence}`, timestampSec: Math.floor(systemClock.now() / 1000) });
    const raw = Buffer.from(metaJson(payload));
    const started = performance.now();
    const response = await fetch(`${url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, APP_SECRET) }, body: raw });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, ms: performance.now() - started };
  };
  const readiness = async () => {
    const started = performance.now();
    const response = await fetch(`${url}/readyz`);
    await response.text();
    return { status: response.status, ms: performance.now() - started };
  };
  const listTickets = async () => {
    const response = await fetch(`${url}/api/tickets`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
  };
  const alive = () => expect({ exitCode: server.process.exitCode, signal: server.process.signalCode }).toEqual({ exitCode: null, signal: null });
  /** Ready again, storing deliveries and answering the API, without having been restarted. */
  const recovered = async () => {
    await vi.waitFor(async () => expect((await readiness()).status).toBe(200), RECOVERY);
    expect((await deliver()).status).toBe(200);
    expect((await listTickets()).status).toBe(200);
    alive();
  };

  beforeAll(async () => {
    db = await openTestStore('postgres');
    const now = systemClock.now(); // the clock the server under test runs on
    const workspace = await insertWorkspace(db.store.db, 'Outage brand', now);
    await insertChannel(db.store.db, { workspaceId: workspace.id, kind: 'whatsapp', name: 'Support line', externalId: PHONE_NUMBER_ID, config: { phoneNumberId: PHONE_NUMBER_ID }, secrets: { appSecret: APP_SECRET, accessToken: 'EAAG-outage-access-token-0000' } }, now);
    const email = `agent-${sequence}-${process.pid}@brand.test`;
    await insertUser(db.store.db, { workspaceId: workspace.id, email, name: 'Ana', role: 'admin', passwordHash: await hashPassword(PASSWORD) }, now);

    const target = new URL(db.databaseUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(db.databaseUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);

    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-outage-'));
    serveEnv = {
      DATA_DIR: dataDir,
      DATABASE_URL: proxied.toString(),
      HOST: '127.0.0.1',
      PORT: '0',
      JOBS: 'on',
      SANDBOX: 'off',
      PG_POOL_SIZE: '4',
      DB_STATEMENT_TIMEOUT_MS: '1000',
      DB_CONNECT_TIMEOUT_MS: '1000',
    };
    server = startCli(['serve'], serveEnv);
    [, url] = (await server.waitFor(/listening on (http:\/\/\S+)/, STARTUP.timeout)) as [string, string];
    await vi.waitFor(async () => expect((await readiness()).status).toBe(200), STARTUP);

    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const minted = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, origin: url }, body: JSON.stringify({ name: 'outage test' }) });
    token = ((await minted.json()) as { token: string }).token;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await db?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stays up while every database connection is reset again and again, idle or busy, and answers again without a restart', async () => {
    for (let round = 0; round < 6; round++) {
      // Half the rounds cut in the middle of traffic, half while the jobs alone hold connections.
      const traffic = round % 2 === 0 ? Promise.all([deliver(), listTickets(), readiness()]) : Promise.resolve([]);
      await new Promise((resolve) => setTimeout(resolve, 150));
      proxy.cutAll();
      await traffic;
      await new Promise((resolve) => setTimeout(resolve, 350));
      alive();
    }
    await recovered();
  });

  it('while the database refuses connections, webhooks and the API answer 503 STORE_UNAVAILABLE fast and /readyz 503; it recovers by itself', async () => {
    proxy.setMode('refuse');
    try {
      const ready = await readiness();
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(4_000);
      const webhook = await deliver();
      expect({ status: webhook.status, code: webhook.body?.error?.code }).toEqual({ status: 503, code: 'STORE_UNAVAILABLE' });
      const api = await listTickets();
      expect({ status: api.status, code: api.body.error?.code }).toEqual({ status: 503, code: 'STORE_UNAVAILABLE' });
      alive();
    } finally {
      proxy.setMode('forward');
    }
    await recovered();
  });

  it('while the database stalls, /readyz answers 503 in bounded time and requests fail within their timeouts instead of hanging; it recovers by itself', async () => {
    proxy.setMode('stall');
    try {
      const [ready, webhook, api] = await Promise.all([readiness(), deliver(), listTickets()]);
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(4_000);
      expect({ status: webhook.status, code: webhook.body?.error?.code }).toEqual({ status: 503, code: 'STORE_UNAVAILABLE' });
      // The statement and connection timeouts are 1 s each here: the answer comes within them, not never.
      expect(webhook.ms).toBeLessThan(8_000);
      expect({ status: api.status, code: api.body.error?.code }).toEqual({ status: 503, code: 'STORE_UNAVAILABLE' });
      alive();
    } finally {
      proxy.setMode('forward');
    }
    await recovered();
  });

  it('a server started while its database refuses connections waits for it instead of exiting, then serves', async () => {
    proxy.setMode('refuse');
    const late = startCli(['serve'], serveEnv);
    try {
      await late.waitFor(/the database is not reachable yet; waiting for it/, STARTUP.timeout);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(late.process.exitCode).toBeNull();
      proxy.setMode('forward');
      const [, lateUrl] = (await late.waitFor(/listening on (http:\/\/\S+)/, STARTUP.timeout)) as [string, string];
      await vi.waitFor(async () => expect((await fetch(`${lateUrl}/readyz`)).status).toBe(200), RECOVERY);
    } finally {
      proxy.setMode('forward');
      await late.stop();
    }
    await recovered();
  });
});
