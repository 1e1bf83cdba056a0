// fanOutWebhookEvents: turns new realtime events into one queued delivery per subscribed webhook. Reading
// the cursor, queueing the deliveries and moving the cursor commit together, and the cursor row is locked
// meanwhile, so each event is queued once however many server processes run this job.
import { sql, type Kysely } from 'kysely';
import { engineOf } from '../../db/dialect/engine.js';
import type { Database } from '../../db/schema.js';
import type { WebhookEventType } from '../../domain/webhooks.js';
import { newId } from '../../lib/ids.js';
import type { Deps } from '../deps.js';
import { enqueueOutboxMany } from '../queue/outbox.repo.js';

export const WEBHOOK_TOPIC = 'webhook.deliver';

/** The JSON body a receiver gets; `id` is also the X-Threadbox-Delivery header, the same on every retry. */
export interface WebhookDelivery {
  id: string;
  type: WebhookEventType;
  workspaceId: string;
  occurredAt: number;
  data: unknown;
}

/** What a queued delivery holds in the outbox. */
export interface QueuedWebhookDelivery {
  webhookId: string;
  delivery: WebhookDelivery;
}

const CURSOR_ID = 'default';
const BATCH = 500;
// A run stops after this many full batches so that one busy moment cannot hold the job forever.
const MAX_BATCHES_PER_RUN = 20;

interface Cursor {
  last_seq: number;
  last_xid: number;
}

interface EventRow {
  seq: number;
  xid: number;
  workspace_id: string;
  type: string;
  payload: string;
  created_at: number;
}

/** Queues deliveries for every realtime event not yet fanned out; returns how many deliveries were queued. */
export async function fanOutWebhookEvents(deps: Pick<Deps, 'store' | 'clock'>, batchSize = BATCH): Promise<number> {
  let queued = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
    const result = await deps.store.unit((trx) => fanOutBatch(trx, batchSize, deps.clock.now()));
    queued += result.queued;
    if (result.events < batchSize) break;
  }
  return queued;
}

async function fanOutBatch(trx: Kysely<Database>, limit: number, now: number): Promise<{ events: number; queued: number }> {
  const postgres = engineOf(trx) === 'postgres';
  const cursor = await lockCursor(trx, postgres);
  const events = postgres ? await settledEventsAfter(trx, cursor, limit) : await eventsAfter(trx, cursor, limit);
  const last = events.at(-1);
  if (!last) return { events: 0, queued: 0 };

  const workspaceIds = [...new Set(events.map((e) => e.workspace_id))];
  const webhooks = await trx
    .selectFrom('webhooks')
    .select(['id', 'workspace_id', 'event_types', 'start_after_seq'])
    .where('enabled', '=', 1)
    .where('workspace_id', 'in', workspaceIds)
    .execute();
  const byWorkspace = new Map<string, { id: string; types: Set<string>; startAfterSeq: number }[]>();
  for (const webhook of webhooks) {
    const list = byWorkspace.get(webhook.workspace_id) ?? [];
    list.push({ id: webhook.id, types: new Set(JSON.parse(webhook.event_types) as string[]), startAfterSeq: Number(webhook.start_after_seq) });
    byWorkspace.set(webhook.workspace_id, list);
  }

  const items: { id: string; workspaceId: string; topic: string; payload: QueuedWebhookDelivery }[] = [];
  for (const event of events) {
    for (const webhook of byWorkspace.get(event.workspace_id) ?? []) {
      if (!webhook.types.has(event.type) || event.seq <= webhook.startAfterSeq) continue;
      const id = newId();
      const delivery: WebhookDelivery = { id, type: event.type as WebhookEventType, workspaceId: event.workspace_id, occurredAt: event.created_at, data: JSON.parse(event.payload) };
      // The outbox row shares the delivery's id, so an operator can find a delivery a receiver names.
      items.push({ id, workspaceId: event.workspace_id, topic: WEBHOOK_TOPIC, payload: { webhookId: webhook.id, delivery } });
    }
  }
  await enqueueOutboxMany(trx, items, now);
  await trx.updateTable('webhook_dispatch_cursor').set({ last_seq: last.seq, last_xid: last.xid }).where('id', '=', CURSOR_ID).execute();
  return { events: events.length, queued: items.length };
}

/**
 * The cursor, locked until the transaction ends: on PostgreSQL with FOR UPDATE, so a second process
 * waits here and then reads the cursor the first one moved; SQLite transactions already take the
 * write lock when they begin.
 */
async function lockCursor(trx: Kysely<Database>, postgres: boolean): Promise<Cursor> {
  const read = () =>
    trx
      .selectFrom('webhook_dispatch_cursor')
      .select(['last_seq', 'last_xid'])
      .where('id', '=', CURSOR_ID)
      .$if(postgres, (qb) => qb.forUpdate())
      .executeTakeFirst();
  const cursor = await read();
  if (cursor) return { last_seq: Number(cursor.last_seq), last_xid: Number(cursor.last_xid) };
  // The migration creates the row. Should it be gone, reading from the start is safe: each webhook
  // skips the events from before it was created.
  await trx.insertInto('webhook_dispatch_cursor').values({ id: CURSOR_ID, last_seq: 0, last_xid: 0 }).onConflict((oc) => oc.column('id').doNothing()).execute();
  const created = await read();
  return { last_seq: Number(created?.last_seq ?? 0), last_xid: Number(created?.last_xid ?? 0) };
}

/** SQLite: one writer at a time, so events commit in seq order and the seq is the whole cursor. */
async function eventsAfter(trx: Kysely<Database>, cursor: Cursor, limit: number): Promise<EventRow[]> {
  const rows = await trx
    .selectFrom('realtime_events')
    .select(['seq', 'workspace_id', 'type', 'payload', 'created_at'])
    .where('seq', '>', cursor.last_seq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, seq: Number(row.seq), xid: 0 }));
}

/**
 * PostgreSQL: a transaction can take seq 10, and commit after another one took 11 and committed, so
 * reading past the newest seq could step over 10 for good. Instead, read only events written by
 * transactions older than every transaction still running (below the snapshot's xmin): no such
 * transaction can still add an event. Read them in (xid, seq) order, the cursor's order, and an event
 * is read exactly once. An event waits while any older transaction on the server is still open.
 */
async function settledEventsAfter(trx: Kysely<Database>, cursor: Cursor, limit: number): Promise<EventRow[]> {
  const { rows } = await sql<{ horizon: number }>`select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as horizon`.execute(trx);
  const horizon = Number(rows[0]?.horizon ?? 0);
  const events = await trx
    .selectFrom('realtime_events')
    .select(['seq', 'workspace_id', 'type', 'payload', 'created_at', sql<number>`xid`.as('xid')])
    .where(sql<boolean>`(xid, seq) > (${cursor.last_xid}::bigint, ${cursor.last_seq}::bigint)`)
    .where(sql<boolean>`xid < ${horizon}::bigint`)
    .orderBy(sql`xid`)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return events.map((row) => ({ ...row, seq: Number(row.seq), xid: Number(row.xid) }));
}
