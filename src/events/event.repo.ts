// Writing timeline and realtime events inside the transaction of the change they describe.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import { toJson } from '../lib/json.js';
import type { Actor, RealtimeEventMap, RealtimeEventType, TimelineEventMap, TimelineEventType } from './types.js';

export type TimelineEntry = {
  [K in TimelineEventType]: { type: K; data: TimelineEventMap[K] };
}[TimelineEventType];

export type RealtimeEntry = {
  [K in RealtimeEventType]: { type: K; payload: RealtimeEventMap[K] };
}[RealtimeEventType];

/** Appends events to a ticket's timeline. */
export async function appendTimeline(
  trx: Kysely<Database>,
  ticket: { id: string; workspace_id: string },
  actor: Actor,
  entries: TimelineEntry[],
  at: number,
): Promise<void> {
  if (entries.length === 0) return;
  await trx
    .insertInto('ticket_events')
    .values(
      entries.map((entry) => ({
        id: newId(),
        workspace_id: ticket.workspace_id,
        ticket_id: ticket.id,
        type: entry.type,
        actor_kind: actor.kind,
        actor_user_id: actor.kind === 'user' ? actor.userId : null,
        data: toJson(entry.data),
        created_at: at,
      })),
    )
    .execute();
}

/** Queues events for the workspace's realtime stream; they become visible with the commit. */
export async function publishRealtime(trx: Kysely<Database>, workspaceId: string, entries: RealtimeEntry[], at: number): Promise<void> {
  if (entries.length === 0) return;
  await trx
    .insertInto('realtime_events')
    .values(entries.map((entry) => ({ workspace_id: workspaceId, type: entry.type, payload: JSON.stringify(entry.payload), created_at: at })))
    .execute();
}
