// The transactional outbox: work committed with the change that needs it, leased by workers.
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { engineOf } from '../../db/dialect/engine.js';
import type { Database, OutboxTable } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import { idsByLease } from './give-back-leases.js';

export const SEND_TOPIC = 'message.send';

export type OutboxItem = Pick<Selectable<OutboxTable>, 'id' | 'workspace_id' | 'topic' | 'message_id' | 'channel_id' | 'payload' | 'attempts' | 'locked_until'>;

export interface NewOutboxItem {
  /** Given when the caller refers to the item before it is stored (a webhook delivery id). */
  id?: string;
  workspaceId: string;
  topic: string;
  messageId?: string;
  channelId?: string;
  payload?: unknown;
}

export function outboxRow(item: NewOutboxItem, now: number): Insertable<OutboxTable> {
  return {
    id: item.id ?? newId(),
    workspace_id: item.workspaceId,
    topic: item.topic,
    message_id: item.messageId ?? null,
    channel_id: item.channelId ?? null,
    payload: item.payload === undefined ? null : JSON.stringify(item.payload),
    attempts: 0,
    available_at: now,
    locked_until: null,
    last_error: null,
    done_at: null,
    created_at: now,
  };
}

export async function enqueueOutbox(trx: Kysely<Database>, item: NewOutboxItem, now: number): Promise<void> {
  await trx.insertInto('outbox').values(outboxRow(item, now)).execute();
}

// Rows per insert statement: well under SQLite's bound-parameter limit at twelve columns a row.
const ENQUEUE_CHUNK = 200;

/** Enqueues many items with few statements (a fan-out queues hundreds at once). */
export async function enqueueOutboxMany(trx: Kysely<Database>, items: NewOutboxItem[], now: number): Promise<void> {
  for (let start = 0; start < items.length; start += ENQUEUE_CHUNK) {
    await trx
      .insertInto('outbox')
      .values(items.slice(start, start + ENQUEUE_CHUNK).map((item) => outboxRow(item, now)))
      .execute();
  }
}

/**
 * Leases due items for `leaseMs`. On PostgreSQL, rows another worker is leasing are skipped
 * (FOR UPDATE SKIP LOCKED); SQLite serializes writers, so the plain update is enough there.
 */
export async function leaseDueOutbox(trx: Kysely<Database>, topic: string, now: number, leaseMs: number, limit: number): Promise<OutboxItem[]> {
  const due = await trx
    .selectFrom('outbox')
    .select('id')
    .where('done_at', 'is', null)
    .where('topic', '=', topic)
    .where('available_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .orderBy('available_at')
    .limit(limit)
    .$if(engineOf(trx) === 'postgres', (qb) => qb.forUpdate().skipLocked())
    .execute();
  if (due.length === 0) return [];
  return trx
    .updateTable('outbox')
    .set((eb) => ({ locked_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
    .where(
      'id',
      'in',
      due.map((d) => d.id),
    )
    .returning(['id', 'workspace_id', 'topic', 'message_id', 'channel_id', 'payload', 'attempts', 'locked_until'])
    .execute();
}

/**
 * Extends a lease this run still holds (its `locked_until` unchanged since the lease was taken); false
 * when the lease ran out and another run took the item over, which then is the one to handle it.
 */
export async function renewOutboxLease(trx: Kysely<Database>, item: OutboxItem, lockedUntil: number): Promise<boolean> {
  const result = await trx
    .updateTable('outbox')
    .set({ locked_until: lockedUntil })
    .where('id', '=', item.id)
    .where('locked_until', '=', item.locked_until)
    .where('done_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives back leases a failed run still holds, each unchanged since it was taken: those items are due again at once. */
export async function releaseOutboxLeases(trx: Kysely<Database>, items: Pick<OutboxItem, 'id' | 'locked_until'>[]): Promise<void> {
  for (const [lockedUntil, ids] of idsByLease(items)) {
    await trx.updateTable('outbox').set({ locked_until: null }).where('id', 'in', ids).where('locked_until', '=', lockedUntil).where('done_at', 'is', null).execute();
  }
}

export async function completeOutbox(trx: Kysely<Database>, id: string, now: number): Promise<void> {
  await trx.updateTable('outbox').set({ done_at: now, locked_until: null, last_error: null }).where('id', '=', id).execute();
}

/**
 * Completes a message's outbox items of `topic` that wait (for a retry, or their first run) and that no
 * run holds now; returns how many. One a run holds is left to it.
 */
export async function completeWaitingItemsOf(trx: Kysely<Database>, messageId: string, topic: string, now: number): Promise<number> {
  const done = await trx
    .updateTable('outbox')
    .set({ done_at: now, locked_until: null, last_error: null })
    .where('message_id', '=', messageId)
    .where('topic', '=', topic)
    .where('done_at', 'is', null)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .executeTakeFirst();
  return Number(done.numUpdatedRows);
}

export async function retryOutboxLater(trx: Kysely<Database>, id: string, availableAt: number, error: string): Promise<void> {
  await trx.updateTable('outbox').set({ available_at: availableAt, locked_until: null, last_error: error }).where('id', '=', id).execute();
}

/** Puts an item back for later without counting the attempt: it waited (a rate limit, a held channel), it did not fail. */
export async function postponeOutbox(trx: Kysely<Database>, id: string, availableAt: number, reason: string): Promise<void> {
  await trx
    .updateTable('outbox')
    .set((eb) => ({ available_at: availableAt, locked_until: null, last_error: reason, attempts: sql<number>`case when ${eb.ref('attempts')} > 0 then ${eb.ref('attempts')} - 1 else 0 end` }))
    .where('id', '=', id)
    .execute();
}

export async function giveUpOutbox(trx: Kysely<Database>, id: string, now: number, error: string): Promise<void> {
  await trx.updateTable('outbox').set({ done_at: now, locked_until: null, last_error: error }).where('id', '=', id).execute();
}
