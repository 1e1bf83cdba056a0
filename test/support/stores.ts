// Fresh stores for tests: a new SQLite file, or a new PostgreSQL database copied from the migrated template.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { Engine } from '../../src/db/dialect/engine.js';
import { openStore, type Store } from '../../src/db/store.js';
import { createDatabase, dropDatabase } from './postgres-admin.js';

export const ENGINES: Engine[] = ['sqlite', 'postgres'];

export interface TestStore {
  store: Store;
  /** The URL another process can open the same database with. */
  databaseUrl: string;
  dispose(): Promise<void>;
}

let counter = 0;

/** Opens an empty, migrated store of the given engine; dispose() closes and deletes it. */
export async function openTestStore(engine: Engine, options: { poolSize?: number } = {}): Promise<TestStore> {
  const unique = `${process.pid}_${randomBytes(4).toString('hex')}_${counter++}`;
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-test-'));
    const databaseUrl = path.join(dir, 'threadbox.db');
    const store = openStore({ databaseUrl, sqliteSynchronous: 'NORMAL' });
    await store.migrate();
    return { store, databaseUrl, dispose: async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const template = inject('pgTemplate');
  const name = `${template.replace(/_template$/, '')}_${unique}`;
  const databaseUrl = await createDatabase(name, template);
  const store = openStore({ databaseUrl, poolSize: options.poolSize ?? 10 });
  return { store, databaseUrl, dispose: async () => { await store.close(); await dropDatabase(name); } };
}
