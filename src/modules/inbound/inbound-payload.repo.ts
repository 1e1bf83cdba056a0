// The inbound payload queue: provider deliveries stored as received, then leased by the processing job.
import type { Kysely, Selectable } from 'kysely';
import { engineOf } from '../../db/dialect/engine.js';
import type { Database, InboundPayloadsTable } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import { idsByLease } from '../queue/give-back-leases.js';
import type { DeliveryEnvelope } from '../../channels/adapter.js';

export type InboundPayload = Pick<Selectable<InboundPayloadsTable>, 'id' | 'source' | 'channel_id' | 'raw' | 'signature' | 'received_at' | 'attempts' | 'locked_until'> & Partial<Pick<Selectable<InboundPayloadsTable>, 'envelope'>>;

export interface NewInboundPayload {
  source: string;
  channelId?: string | null;
  raw: Buffer;
  signature?: string | null;
  /** How a listener received it (SMTP: client address, HELO, MAIL FROM). */
  envelope?: DeliveryEnvelope | null;
}

/** Stores a delivery; returns its id. */
export async function insertInboundPayload(trx: Kysely<Database>, payload: NewInboundPayload, now: number): Promise<string> {
  const [id] = await insertInboundPayloads(trx, [{ ...payload, receivedAt: now }]);
  return id!;
}

/** Stores deliveries with one statement; returns their ids in order. */
export async function insertInboundPayloads(db: Kysely<Database>, payloads: (NewInboundPayload & { receivedAt: number })[]): Promise<string[]> {
  const rows = payloads.map((payload) => ({
    id: newId(),
    source: payload.source,
    channel_id: payload.channelId ?? null,
    raw: payload.raw,
    signature: payload.signature ?? null,
    envelope: payload.envelope ? JSON.stringify(payload.envelope) : null,
    received_at: payload.receivedAt,
    attempts: 0,
    available_at: payload.receivedAt,
    locked_until: null,
    processed_at: null,
    last_error: null,
  }));
  await db.insertInto('inbound_payloads').values(rows).execute();
  return rows.map((row) => row.id);
}

/**
 * Leases due payloads of the given sources for `leaseMs`, oldest first. On PostgreSQL rows another
 * process holds are skipped (FOR UPDATE SKIP LOCKED); SQLite serializes writers.
 */
export async function leaseInboundPayloads(trx: Kysely<Database>, sources: string[], now: number, leaseMs: number, limit: number): Promise<InboundPayload[]> {
  const due = await duePayloadsQuery(trx, sources, now, limit).execute();
  if (due.length === 0) return [];
  const leased = await trx
    .updateTable('inbound_payloads')
    .set((eb) => ({ locked_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
    .where(
      'id',
      'in',
      due.map((d) => d.id),
    )
    .returning(['id', 'source', 'channel_id', 'raw', 'signature', 'envelope', 'received_at', 'attempts', 'locked_until'])
    .execute();
  return leased.sort((a, b) => a.received_at - b.received_at || a.id.localeCompare(b.id));
}

/**
 * The ids of the first due payloads, oldest first: read in the order of the backlog's index
 * (inbound_payloads_due), never by sorting the backlog.
 */
export function duePayloadsQuery(trx: Kysely<Database>, sources: string[], now: number, limit: number) {
  return trx
    .selectFrom('inbound_payloads')
    .select('id')
    .where('processed_at', 'is', null)
    .where('available_at', '<=', now)
    .where('source', 'in', sources)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .orderBy('available_at')
    .orderBy('id')
    .limit(limit)
    .$if(engineOf(trx) === 'postgres', (qb) => qb.forUpdate().skipLocked());
}

export async function markInboundProcessed(trx: Kysely<Database>, ids: string[], now: number): Promise<void> {
  await trx.updateTable('inbound_payloads').set({ processed_at: now, locked_until: null, last_error: null }).where('id', 'in', ids).execute();
}

/** Gives back leases a failed run still holds, each unchanged since it was taken: those payloads are due again at once. */
export async function releaseInboundLeases(trx: Kysely<Database>, payloads: Pick<InboundPayload, 'id' | 'locked_until'>[]): Promise<void> {
  for (const [lockedUntil, ids] of idsByLease(payloads)) {
    await trx.updateTable('inbound_payloads').set({ locked_until: null }).where('id', 'in', ids).where('locked_until', '=', lockedUntil).where('processed_at', 'is', null).execute();
  }
}

export async function retryInboundLater(trx: Kysely<Database>, id: string, availableAt: number, error: string): Promise<void> {
  await trx.updateTable('inbound_payloads').set({ available_at: availableAt, locked_until: null, last_error: error }).where('id', '=', id).execute();
}

/** Has a processed payload read again by the next processing run (a held message was released). */
export async function readPayloadAgain(trx: Kysely<Database>, id: string, now: number): Promise<void> {
  await trx.updateTable('inbound_payloads').set({ processed_at: null, available_at: now, locked_until: null, attempts: 0 }).where('id', '=', id).execute();
}
