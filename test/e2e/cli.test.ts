// The command line as a self-hoster uses it: start, serve, migrate, create-user and seed-demo, on both engines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/store.js';
import { verifyPassword } from '../../src/modules/users/password.js';
import { findUserByEmail } from '../../src/modules/users/user.repo.js';
import { runCli, startCli, type ServingCli } from '../support/cli.js';
import { ENGINES, openTestStore, type TestStore } from '../support/stores.js';

describe.each(ENGINES)('the threadbox command line (%s)', (engine) => {
  let dataDir: string;
  let db: TestStore;
  let env: Record<string, string>;
  let server: ServingCli | undefined;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-cli-'));
    db = await openTestStore(engine);
    await db.store.close();
    env = { DATA_DIR: dataDir, DATABASE_URL: db.databaseUrl, PORT: '0', JOBS: 'off' };
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await db.dispose().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function passwordWorks(email: string, password: string): Promise<boolean> {
    const store = openStore({ databaseUrl: db.databaseUrl });
    try {
      const user = await findUserByEmail(store.db, email);
      return user ? verifyPassword(password, user.password_hash) : false;
    } finally {
      await store.close();
    }
  }

  it('start serves health and readiness, seeds the demo and prints a login that works, every time', async () => {
    server = startCli(['start'], env);
    const [, url] = await server.waitFor(/running at (http:\/\/\S+)/);
    const [, email, password] = await server.waitFor(/Demo login: (\S+) \/ (\S+)/);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await passwordWorks(email!, password!)).toBe(true);
    expect(await server.stop()).toBe(0);

    // A second start reuses the demo workspace and prints the same working login.
    server = startCli(['start'], env);
    const [, again] = await server.waitFor(/Demo login: \S+ \/ (\S+)/);
    expect(again).toBe(password);
  });

  it('seed-demo creates sandbox channels, contacts and tickets once', async () => {
    expect((await runCli(['seed-demo'], env)).code).toBe(0);
    expect((await runCli(['seed-demo'], env)).code).toBe(0);
    const store = openStore({ databaseUrl: db.databaseUrl });
    try {
      const channels = await store.db.selectFrom('channels').select(['kind', 'sandbox']).orderBy('kind').execute();
      expect(channels).toEqual([
        { kind: 'email', sandbox: 1 },
        { kind: 'instagram', sandbox: 1 },
        { kind: 'whatsapp', sandbox: 1 },
      ]);
      const tickets = await store.db.selectFrom('tickets').select(['number', 'created_by']).orderBy('number').execute();
      expect(tickets.map((t) => t.created_by)).toEqual(['customer', 'customer', 'customer', 'agent']);
    } finally {
      await store.close();
    }
  });

  it('migrate then create-user makes an admin who can log in with the given password', async () => {
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const created = await runCli(['create-user', '--email', 'Lead@Brand.test', '--name', 'Lead', '--role', 'admin', '--password', 's3cret-pass', '--new-workspace', 'Brand'], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created admin lead@brand.test');
    expect(created.stdout).not.toContain('s3cret-pass');
    expect(await passwordWorks('lead@brand.test', 's3cret-pass')).toBe(true);
  });

  it('create-user without a password prints a generated one', async () => {
    await runCli(['create-user', '--email', 'a@brand.test', '--name', 'A', '--new-workspace', 'Brand'], env);
    const second = await runCli(['create-user', '--email', 'b@brand.test', '--name', 'B'], env);
    const password = second.stdout.match(/Password: (\S+)/)?.[1];
    expect(password).toBeDefined();
    expect(await passwordWorks('b@brand.test', password!)).toBe(true);
  });

  it('bad configuration and bad arguments fail with a clear message and a non-zero exit', async () => {
    const badPort = await runCli(['migrate'], { ...env, PORT: 'eighty' });
    expect(badPort.code).not.toBe(0);
    expect(badPort.stderr).toContain('Invalid configuration: PORT');
    const badRole = await runCli(['create-user', '--email', 'x@y.test', '--name', 'X', '--role', 'owner'], env);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toMatch(/Allowed choices are admin, agent/);
  });
});
