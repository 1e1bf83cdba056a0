// Where benchmarks put their databases: a file under the system temp folder, or a throwaway PostgreSQL database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from '../src/db/dialect/engine.js';
import { openStore, type Store } from '../src/db/store.js';
import { createDatabase, dropDatabase } from '../test/support/postgres-admin.js';

export interface BenchStore {
  store: Store;
  /** The SQLite file or PostgreSQL URL, for measuring the raw driver beside the store. */
  databaseUrl: string;
  dispose(): Promise<void>;
}

/** A fresh, migrated store with production durability (SQLite: WAL + synchronous=FULL; PostgreSQL: defaults). */
export async function openBenchStore(engine: Engine, label: string, poolSize = 20): Promise<BenchStore> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `threadbox-bench-${label}-`));
    const databaseUrl = path.join(dir, 'bench.db');
    const store = openStore({ databaseUrl, sqliteSynchronous: 'FULL' });
    await store.migrate();
    return { store, databaseUrl, dispose: async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const name = `threadbox_bench_${label}_${process.pid}`;
  await dropDatabase(name);
  const databaseUrl = await createDatabase(name);
  const store = openStore({ databaseUrl, poolSize });
  await store.migrate();
  return { store, databaseUrl, dispose: async () => { await store.close(); await dropDatabase(name); } };
}

/**
 * The project's performance target for the API: "ticket list first page and ticket read through the
 * API, 200k tickets / 1M messages: p95 ≤ 5 ms SQLite, ≤ 10 ms PostgreSQL".
 */
export const API_READ_P95_MS: Record<Engine, number> = { sqlite: 5, postgres: 10 };
