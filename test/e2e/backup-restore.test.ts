// `threadbox backup` and `threadbox restore` as a self-hoster runs them, on both engines: a backup taken
// while the server serves and writes holds every ticket it had, and restoring it into an empty database
// gives a server with the same tickets. SQLite refuses to restore over a database a server has open.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restoreDatabase } from '../../src/db/backup.js';
import { openStore } from '../../src/db/store.js';
import { runCli, startCli, type ServingCli } from '../support/cli.js';
import { createDatabase, databaseUrl, dropDatabase } from '../support/postgres-admin.js';
import { ENGINES, openTestStore, type TestStore } from '../support/stores.js';

async function ticketCount(url: string): Promise<number> {
  const store = openStore({ databaseUrl: url });
  try {
    return Number((await store.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  } finally {
    await store.close();
  }
}

describe.each(ENGINES)('backing up and restoring (%s)', (engine) => {
  let dataDir: string;
  let db: TestStore;
  let server: ServingCli | undefined;
  let restoredDatabase: string | null = null;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-backup-'));
    db = await openTestStore(engine);
    await db.store.close();
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await db.dispose().catch(() => undefined);
    if (restoredDatabase) await dropDatabase(restoredDatabase);
    restoredDatabase = null;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a backup taken while the server writes restores into a server with the same tickets', async () => {
    const env = { DATA_DIR: dataDir, DATABASE_URL: db.databaseUrl, PORT: '0' };
    server = startCli(['start'], env);
    const [, url] = await server.waitFor(/running at (http:\/\/\S+)/);
    const [, email, password] = await server.waitFor(/Demo login: (\S+) \/ (\S+)/);
    const tickets = await ticketCount(db.databaseUrl);
    expect(tickets).toBeGreaterThan(0);

    // Sign-ins write sessions while the backup runs.
    let writing = true;
    const writes = (async () => {
      while (writing) await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url! }, body: JSON.stringify({ email, password }) });
    })();
    const file = path.join(dataDir, 'backups', 'threadbox.backup');
    fs.mkdirSync(path.dirname(file));
    const backup = await runCli(['backup', file], env);
    writing = false;
    await writes;
    expect(backup).toMatchObject({ code: 0 });
    expect(backup.stdout).toContain(`Backed up to ${file}`);
    if (engine === 'sqlite') {
      expect(backup.stdout).toContain(`${tickets} tickets`);
      // Over a database the running server has open, a restore is refused and changes nothing.
      const refused = await runCli(['restore', file], env);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('a server may be running on it');
    }
    expect(await server.stop()).toBe(0);
    server = undefined;

    // Into an empty database, as after losing the machine.
    const target = engine === 'sqlite' ? path.join(dataDir, 'restored', 'threadbox.db') : databaseUrl((restoredDatabase = `${path.basename(dataDir).replace(/\W/g, '_')}_restored`));
    if (engine === 'postgres') await createDatabase(restoredDatabase!);
    const restoredEnv = { ...env, DATA_DIR: path.join(dataDir, 'restored'), DATABASE_URL: target };
    const restored = await runCli(['restore', file], restoredEnv);
    expect(restored).toMatchObject({ code: 0 });
    expect(restored.stdout).toContain('Restored from');
    expect(await ticketCount(target)).toBe(tickets);
    server = startCli(['serve'], restoredEnv);
    const [, restoredUrl] = await server.waitFor(/listening on (http:\/\/\S+)/);
    expect((await fetch(`${restoredUrl}/readyz`)).status).toBe(200);
  });

  it('refuses a file that is not a backup, and a backup that does not exist, changing nothing', async () => {
    const notABackup = path.join(dataDir, 'notes.txt');
    fs.writeFileSync(notABackup, 'not a database');
    await expect(restoreDatabase(db.databaseUrl, path.join(dataDir, 'missing.backup'))).rejects.toThrow('There is no backup at');
    await expect(restoreDatabase(db.databaseUrl, notABackup)).rejects.toThrow(engine === 'sqlite' ? /not a database|damaged/ : /pg_restore failed/);
    expect(await ticketCount(db.databaseUrl)).toBe(0);
  });
});
