// The realtime feed on PostgreSQL reads when signalled, not when its timer says so: with the fallback
// timer set to an hour, events written by another process still reach subscribers, even across a lost
// listening connection.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LISTENER_APPLICATION_NAME } from '../../src/db/dialect/postgres-notifications.js';
import { openStore, type Store } from '../../src/db/store.js';
import { HOUR } from '../../src/domain/clock.js';
import { publishRealtime } from '../../src/events/event.repo.js';
import { createLogger } from '../../src/lib/logger.js';
import { fallbackIntervalMs, RealtimeFeed, type RealtimeEvent } from '../../src/realtime/realtime-feed.js';
import { openTestStore, type TestStore } from '../support/stores.js';

const SOON = { timeout: 15_000, interval: 20 };

describe('the realtime feed on PostgreSQL', () => {
  let db: TestStore;
  /** Another server process's store on the same database. */
  let other: Store;
  let feed: RealtimeFeed;

  beforeEach(async () => {
    db = await openTestStore('postgres');
    other = openStore({ databaseUrl: db.databaseUrl, poolSize: 2 });
    feed = new RealtimeFeed(db.store, createLogger('silent'), HOUR);
    await feed.start();
  });
  afterEach(async () => {
    await feed.stop();
    await other.close();
    await db.dispose();
  });

  const publish = (workspaceId: string, ticketId: string) =>
    other.unit((trx) => publishRealtime(trx, workspaceId, [{ type: 'ticket.created', payload: { ticketId } }], Date.now()));

  it('fans out an event another process writes without waiting for its timer', async () => {
    const received: RealtimeEvent[] = [];
    feed.subscribe('w1', (event) => received.push(event));
    await publish('w1', 't1');
    await vi.waitFor(() => expect(received.map((e) => e.payload)).toEqual([{ ticketId: 't1' }]), SOON);
  });

  it('a burst of writes, signalling while the feed is still reading, arrives complete and in order', async () => {
    const received: RealtimeEvent[] = [];
    feed.subscribe('w1', (event) => received.push(event));
    for (let i = 0; i < 20; i++) await publish('w1', `t${i}`);
    await vi.waitFor(() => expect(received).toHaveLength(20), SOON);
    const seqs = received.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(received.map((e) => (e.payload as { ticketId: string }).ticketId)).size).toBe(20);
  });

  it('an event written around a lost listening connection still arrives once it is back', async () => {
    const received: RealtimeEvent[] = [];
    feed.subscribe('w1', (event) => received.push(event));
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and application_name = ${LISTENER_APPLICATION_NAME}`.execute(other.db);
    await publish('w1', 'written-while-reconnecting');
    await vi.waitFor(() => expect(received.map((e) => e.payload)).toEqual([{ ticketId: 'written-while-reconnecting' }]), SOON);
  });

  it('only the workspace’s own subscribers hear its events', async () => {
    const mine: RealtimeEvent[] = [];
    const theirs: RealtimeEvent[] = [];
    feed.subscribe('w1', (event) => mine.push(event));
    feed.subscribe('w2', (event) => theirs.push(event));
    await publish('w2', 'theirs');
    await publish('w1', 'mine');
    await vi.waitFor(() => expect(mine.map((e) => e.payload)).toEqual([{ ticketId: 'mine' }]), SOON);
    expect(theirs.map((e) => e.payload)).toEqual([{ ticketId: 'theirs' }]);
  });
});

describe('the fallback timer', () => {
  it('is a safety net of a second on PostgreSQL and the only way of hearing news on SQLite', () => {
    expect(fallbackIntervalMs('postgres')).toBe(1_000);
    expect(fallbackIntervalMs('sqlite')).toBe(250);
  });
});
