// Watching the store for realtime signals: on PostgreSQL an insert into realtime_events by any connection
// wakes every watcher, including after its listening connection was cut; on SQLite there is nothing to hear.
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LISTENER_APPLICATION_NAME } from '../../src/db/dialect/postgres-notifications.js';
import type { Database } from '../../src/db/schema.js';
import { openStore, type Store } from '../../src/db/store.js';
import { REALTIME_SIGNAL_CHANNEL } from '../../src/realtime/realtime-feed.js';
import { openTestStore, type TestStore } from '../support/stores.js';

const SOON = { timeout: 15_000, interval: 20 };

/** Counts the signals a watcher got and the trouble it reported. */
function recorder() {
  const seen = { signals: 0, errors: [] as Error[] };
  return { seen, onSignal: () => void seen.signals++, onError: (error: Error) => void seen.errors.push(error) };
}

function insertRealtimeEvent(db: Kysely<Database>) {
  return db.insertInto('realtime_events').values({ workspace_id: 'w1', type: 'ticket.created', payload: '{"ticketId":"t1"}', created_at: 1 }).execute();
}

/** The backends of this database that LISTEN for a store. */
async function listenerPids(store: Store): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database() and application_name = ${LISTENER_APPLICATION_NAME} order by pid`.execute(store.db);
  return rows.map((r) => Number(r.pid));
}

describe('watching a PostgreSQL store', () => {
  let db: TestStore;
  /** Another process's connections, as far as the database can tell. */
  let other: Store;

  beforeEach(async () => {
    db = await openTestStore('postgres');
    other = openStore({ databaseUrl: db.databaseUrl, poolSize: 2 });
  });
  afterEach(async () => {
    await other.close();
    await db.dispose();
  });

  it('a realtime event inserted through another connection signals the watcher', async () => {
    const watcher = recorder();
    await db.store.watch(REALTIME_SIGNAL_CHANNEL, watcher.onSignal, { onError: watcher.onError });
    await insertRealtimeEvent(other.db);
    await vi.waitFor(() => expect(watcher.seen.signals).toBe(1), SOON);
    expect(watcher.seen.errors).toEqual([]);
  });

  it('an insert that is rolled back signals nothing; the signal comes with a commit', async () => {
    const watcher = recorder();
    await db.store.watch(REALTIME_SIGNAL_CHANNEL, watcher.onSignal, { onError: watcher.onError });
    await expect(
      other.unit(async (trx) => {
        await insertRealtimeEvent(trx);
        throw new Error('the change fails after publishing');
      }),
    ).rejects.toThrow('the change fails');
    await insertRealtimeEvent(other.db);
    // Notifications arrive in commit order, so had the rolled-back insert signalled, that signal would be counted already.
    await vi.waitFor(() => expect(watcher.seen.signals).toBe(1), SOON);
  });

  it('after its connection is terminated the watcher reconnects, signals once to catch up and keeps hearing inserts', async () => {
    const watcher = recorder();
    await db.store.watch(REALTIME_SIGNAL_CHANNEL, watcher.onSignal, { onError: watcher.onError });
    const [before] = await listenerPids(other);
    expect(before).toBeDefined();

    await sql`select pg_terminate_backend(${before})`.execute(other.db);
    await vi.waitFor(() => expect(watcher.seen.signals).toBe(1), SOON);
    expect(watcher.seen.errors.length).toBeGreaterThan(0);
    const after = await listenerPids(other);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);

    await insertRealtimeEvent(other.db);
    await vi.waitFor(() => expect(watcher.seen.signals).toBe(2), SOON);
  });

  it('a signal handler that throws is reported and the watcher keeps listening', async () => {
    const errors: Error[] = [];
    let signals = 0;
    await db.store.watch(
      REALTIME_SIGNAL_CHANNEL,
      () => {
        signals++;
        throw new Error('the handler broke');
      },
      { onError: (error) => errors.push(error) },
    );
    await insertRealtimeEvent(other.db);
    await vi.waitFor(() => expect(signals).toBe(1), SOON);
    await insertRealtimeEvent(other.db);
    await vi.waitFor(() => expect(signals).toBe(2), SOON);
    expect(errors.map((e) => e.message)).toEqual(['the handler broke', 'the handler broke']);
  });

  it('stopping a watch closes its connection, and closing the store closes the rest', async () => {
    const watching = openStore({ databaseUrl: db.databaseUrl });
    const first = await watching.watch(REALTIME_SIGNAL_CHANNEL, () => undefined);
    await watching.watch(REALTIME_SIGNAL_CHANNEL, () => undefined);
    expect(await listenerPids(other)).toHaveLength(2);

    await first();
    await first();
    await vi.waitFor(async () => expect(await listenerPids(other)).toHaveLength(1), SOON);

    await watching.close();
    await vi.waitFor(async () => expect(await listenerPids(other)).toEqual([]), SOON);
  });

  it('without an error handler of its own a watch reports to the store’s onConnectionError', async () => {
    const errors: Error[] = [];
    const watching = openStore({ databaseUrl: db.databaseUrl, onConnectionError: (error) => errors.push(error) });
    try {
      await watching.watch(REALTIME_SIGNAL_CHANNEL, () => undefined);
      const [pid] = await listenerPids(other);
      await sql`select pg_terminate_backend(${pid})`.execute(other.db);
      await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), SOON);
    } finally {
      await watching.close();
    }
  });
});

describe('watching a SQLite store', () => {
  let db: TestStore;
  beforeEach(async () => {
    db = await openTestStore('sqlite');
  });
  afterEach(async () => {
    await db.dispose();
  });

  it('is a no-op: one process owns the file, so there is no one to signal and the stop function just returns', async () => {
    const watcher = recorder();
    const stop = await db.store.watch(REALTIME_SIGNAL_CHANNEL, watcher.onSignal, { onError: watcher.onError });
    await insertRealtimeEvent(db.store.db);
    await stop();
    expect(watcher.seen).toEqual({ signals: 0, errors: [] });
  });
});
