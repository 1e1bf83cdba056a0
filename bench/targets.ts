// Where benchmarks put their databases: a file under the system temp folder, or a throwaway PostgreSQL database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from '../src/db/dialect/engine.js';
import { openStore, type Store } from '../src/db/store.js';
import { createDatabase, dropDatabase } from '../test/support/postgres-admin.js';

export interface BenchStore {
  store: Store;
  dispose(): Promise<void>;
}

/** A fresh, migrated store with production durability (SQLite: WAL + synchronous=FULL; PostgreSQL: defaults). */
export async function openBenchStore(engine: Engine, label: string, poolSize = 20): Promise<BenchStore> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `threadbox-bench-${label}-`));
    const store = openStore({ databaseUrl: path.join(dir, 'bench.db'), sqliteSynchronous: 'FULL' });
    await store.migrate();
    return { store, dispose: async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const name = `threadbox_bench_${label}_${process.pid}`;
  await dropDatabase(name);
  const store = openStore({ databaseUrl: await createDatabase(name), poolSize });
  await store.migrate();
  return { store, dispose: async () => { await store.close(); await dropDatabase(name); } };
}
