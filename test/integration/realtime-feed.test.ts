// The realtime feed on PostgreSQL reads when signalled, not when its timer says so: with the fallback
// timer set to an hour, events written by another process still reach subscribers, even across a lost
// listening connection. A transaction that took a lower seq but commits after a higher one still gets
// its event delivered (late); on both engines, seqs skipped by a read are waited for, within bounds.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LISTENER_APPLICATION_NAME } from '../../src/db/dialect/postgres-notifications.js';
import { openStore, type Store } from '../../src/db/store.js';
import { HOUR } from '../../src/domain/clock.js';
import { publishRealtime } from '../../src/events/event.repo.js';
import { createLogger } from '../../src/lib/logger.js';
import { fallbackIntervalMs, GAP_GRACE_MS, RealtimeFeed, type RealtimeEvent, type RealtimeFeedOptions } from '../../src/realtime/realtime-feed.js';
import { TestClock } from '../support/clock.js';
import { ENGINES, openTestStore, type TestStore } from '../support/stores.js';

const SOON = { timeout: 15_000, interval: 20 };

const labels = (events: RealtimeEvent[]) => events.map((e) => (e.payload as { ticketId: string }).ticketId);

class RolledBack extends Error {}

/**
 * A transaction that publishes an event (taking its seq) and stays open until told to commit or roll
 * back; it holds one connection of the store's pool meanwhile.
 */
function openTransaction(store: Store, workspaceId: string, ticketId: string, at: number) {
  let decide!: (commit: boolean) => void;
  const decided = new Promise<boolean>((resolve) => (decide = resolve));
  let published!: () => void;
  const publishedInside = new Promise<void>((resolve) => (published = resolve));
  const ended = store.db
    .transaction()
    .execute(async (trx) => {
      await publishRealtime(trx, workspaceId, [{ type: 'ticket.created', payload: { ticketId } }], at);
      published();
      if (!(await decided)) throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  return {
    /** Settles once the event is inserted (and its seq taken), or fails with the transaction. */
    inserted: Promise.race([publishedInside, ended.then(() => Promise.reject(new Error('the transaction ended before publishing')))]),
    commit: () => (decide(true), ended),
    rollback: () => (decide(false), ended),
  };
}

describe('the realtime feed on PostgreSQL', () => {
  let db: TestStore;
  /** Another server process's store on the same database. */
  let other: Store;
  let feed: RealtimeFeed;
  let clock: TestClock;

  beforeEach(async () => {
    db = await openTestStore('postgres');
    other = openStore({ databaseUrl: db.databaseUrl, poolSize: 2 });
    clock = new TestClock();
    feed = new RealtimeFeed(db.store, createLogger('silent'), HOUR, { clock });
    await feed.start();
  });
  afterEach(async () => {
    await feed.stop();
    await other.close();
    await db.dispose();
  });

  const publish = (workspaceId: string, ticketId: string) =>
    other.unit((trx) => publishRealtime(trx, workspaceId, [{ type: 'ticket.created', payload: { ticketId } }], clock.now()));

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

  it('an event whose transaction took the lower seq but committed after a later one is still delivered, late', async () => {
    const received: RealtimeEvent[] = [];
    feed.subscribe('w1', (event) => received.push(event));
    const slow = openTransaction(db.store, 'w1', 'committed-last', clock.now());
    await slow.inserted;
    await publish('w1', 'committed-first');
    await vi.waitFor(() => expect(labels(received)).toEqual(['committed-first']), SOON);
    const [missing] = feed.position().missing;
    expect(missing).toBeLessThan(received[0]!.seq);

    await slow.commit();
    await vi.waitFor(() => expect(labels(received)).toEqual(['committed-first', 'committed-last']), SOON);
    expect(received[1]!.seq).toBe(missing);
    expect(feed.position()).toEqual({ lowWater: received[0]!.seq, highWater: received[0]!.seq, missing: [] });
    // A client that saw only the later event and comes back resuming after it gets the late one too.
    expect(labels(await feed.since('w1', received[0]!.seq))).toEqual(['committed-last']);
  });

  it('the seq of a rolled-back insert is waited for no longer than the grace period, and holds nothing back meanwhile', async () => {
    const received: RealtimeEvent[] = [];
    feed.subscribe('w1', (event) => received.push(event));
    const doomed = openTransaction(db.store, 'w1', 'rolled-back', clock.now());
    await doomed.inserted;
    await publish('w1', 'after-1');
    await vi.waitFor(() => expect(labels(received)).toEqual(['after-1']), SOON);
    const { missing } = feed.position();
    expect(missing).toHaveLength(1);

    await doomed.rollback();
    await publish('w1', 'after-2');
    await vi.waitFor(() => expect(labels(received)).toEqual(['after-1', 'after-2']), SOON);
    expect(feed.position().missing).toEqual(missing);

    clock.advance(GAP_GRACE_MS);
    await publish('w1', 'after-3');
    await vi.waitFor(() => expect(feed.position().missing).toEqual([]), SOON);
    expect(labels(received)).toEqual(['after-1', 'after-2', 'after-3']);
    expect(feed.position().lowWater).toBe(received[2]!.seq);
  });
});

describe.each(ENGINES)('seqs a read skipped (%s)', (engine) => {
  let db: TestStore;
  let clock: TestClock;
  const feeds: RealtimeFeed[] = [];

  beforeEach(async () => {
    db = await openTestStore(engine);
    clock = new TestClock();
  });
  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((feed) => feed.stop()));
    await db.dispose();
  });

  /** A feed on the engine's own fallback timer (and signals, on PostgreSQL), on the test clock. */
  const startFeed = async (options: RealtimeFeedOptions = {}) => {
    const feed = new RealtimeFeed(db.store, createLogger('silent'), fallbackIntervalMs(engine), { clock, ...options });
    feeds.push(feed);
    await feed.start();
    return feed;
  };

  /** Inserts events at chosen seqs in one statement, as commits in any order would leave them. */
  const insertAt = (...events: { seq: number; workspaceId?: string }[]) =>
    db.store.db
      .insertInto('realtime_events')
      .values(events.map(({ seq, workspaceId = 'w1' }) => ({ seq, workspace_id: workspaceId, type: 'ticket.created', payload: JSON.stringify({ ticketId: `t${seq}` }), created_at: clock.now() })))
      .execute();

  it('a seq that shows up below the newest one read is delivered late, and replayed to a client resuming after the newest', async () => {
    const feed = await startFeed();
    const received: RealtimeEvent[] = [];
    feed.subscribe('w1', (event) => received.push(event));
    await insertAt({ seq: 3 });
    await vi.waitFor(() => expect(labels(received)).toEqual(['t3']), SOON);
    expect(feed.position()).toEqual({ lowWater: 0, highWater: 3, missing: [1, 2] });

    await insertAt({ seq: 2 }, { seq: 1, workspaceId: 'w2' });
    await vi.waitFor(() => expect(feed.position().missing).toEqual([]), SOON);
    expect(labels(received)).toEqual(['t3', 't2']);
    expect(labels(await feed.since('w1', 3))).toEqual(['t2']);
    expect(labels(await feed.since('w1', 0))).toEqual(['t2', 't3']);
    expect(labels(await feed.since('w1', 2))).toEqual(['t3']);
    expect(labels(await feed.since('w2', 3))).toEqual(['t1']);
  });

  it('a missing seq is given up after the grace period; should it commit even later, only a resuming client gets it', async () => {
    const feed = await startFeed({ gapGraceMs: 5_000 });
    const received: RealtimeEvent[] = [];
    feed.subscribe('w1', (event) => received.push(event));
    await insertAt({ seq: 2 });
    await vi.waitFor(() => expect(labels(received)).toEqual(['t2']), SOON);
    await insertAt({ seq: 3 });
    await vi.waitFor(() => expect(labels(received)).toEqual(['t2', 't3']), SOON);
    expect(feed.position().missing).toEqual([1]);

    clock.advance(5_000);
    await insertAt({ seq: 4 });
    await vi.waitFor(() => expect(feed.position()).toEqual({ lowWater: 4, highWater: 4, missing: [] }), SOON);

    await insertAt({ seq: 1 }, { seq: 5 });
    await vi.waitFor(() => expect(labels(received)).toContain('t5'), SOON);
    expect(labels(received)).toEqual(['t2', 't3', 't4', 't5']);
    expect(labels(await feed.since('w1', 0))).toEqual(['t1', 't2', 't3', 't4', 't5']);
  });

  it('waits for at most so many missing seqs, forgetting the oldest', async () => {
    const feed = await startFeed({ maxTrackedGaps: 3 });
    const received: RealtimeEvent[] = [];
    feed.subscribe('w1', (event) => received.push(event));
    await insertAt({ seq: 10 });
    await vi.waitFor(() => expect(labels(received)).toEqual(['t10']), SOON);
    expect(feed.position()).toEqual({ lowWater: 6, highWater: 10, missing: [7, 8, 9] });

    await insertAt({ seq: 1 }, { seq: 8 }, { seq: 11 });
    await vi.waitFor(() => expect(labels(received)).toHaveLength(3), SOON);
    expect(labels(received).sort()).toEqual(['t10', 't11', 't8']);
    expect(feed.position().missing).toEqual([7, 9]);
  });

  it('waits for the seqs missing between the newest events when it starts: their transactions may still be running', async () => {
    await insertAt({ seq: 1 }, { seq: 3 });
    const feed = await startFeed();
    expect(feed.position()).toEqual({ lowWater: 1, highWater: 3, missing: [2] });
    const received: RealtimeEvent[] = [];
    feed.subscribe('w1', (event) => received.push(event));
    await insertAt({ seq: 2 });
    await vi.waitFor(() => expect(labels(received)).toEqual(['t2']), SOON);
    expect(feed.position().missing).toEqual([]);
  });
});

describe('the fallback timer', () => {
  it('is a safety net of a second on PostgreSQL and the only way of hearing news on SQLite', () => {
    expect(fallbackIntervalMs('postgres')).toBe(1_000);
    expect(fallbackIntervalMs('sqlite')).toBe(250);
  });
});
