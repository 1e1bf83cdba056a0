// Writing timeline and realtime events inside the transaction of the change they describe.
import type { Kysely } from 'kysely';
import { param, PreparedQuery } from '../db/prepared.js';
import type { Database } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import { toJson } from '../lib/json.js';
import type { Actor, TicketActor } from '../domain/actor.js';
import type { ContactEventMap, ContactEventType, RealtimeEventMap, RealtimeEventType, TimelineEventMap, TimelineEventType } from '../domain/events.js';

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
  actor: TicketActor,
  entries: TimelineEntry[],
  at: number,
): Promise<void> {
  await appendTimelines(trx, entries.map((entry) => ({ ticket, actor, entry })), at);
}

/** Appends events to the timelines of several tickets in one statement. */
export async function appendTimelines(
  trx: Kysely<Database>,
  events: { ticket: { id: string; workspace_id: string }; actor: TicketActor; entry: TimelineEntry }[],
  at: number,
): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto('ticket_events')
    .values(
      events.map(({ ticket, actor, entry }) => ({
        id: newId(),
        workspace_id: ticket.workspace_id,
        ticket_id: ticket.id,
        type: entry.type,
        actor_kind: actor.kind,
        actor_user_id: actor.kind === 'user' ? actor.userId : null,
        actor_integration_id: actor.kind === 'integration' ? actor.integrationId : null,
        data: toJson(entry.data),
        created_at: at,
      })),
    )
    .execute();
}

export type ContactEventEntry = {
  [K in ContactEventType]: { type: K; data: ContactEventMap[K] };
}[ContactEventType];

/** Appends an event to a contact's own timeline (it moves with the contact when merged). */
export async function appendContactEvent(trx: Kysely<Database>, contact: { id: string; workspaceId: string }, actor: Actor, entry: ContactEventEntry, at: number): Promise<void> {
  await trx
    .insertInto('contact_events')
    .values({
      id: newId(),
      workspace_id: contact.workspaceId,
      contact_id: contact.id,
      type: entry.type,
      actor_kind: actor.kind,
      actor_user_id: actor.kind === 'user' ? actor.userId : null,
      data: JSON.stringify(entry.data),
      created_at: at,
    })
    .execute();
}

// One prepared insert per count of events: a message alone publishes one to three.
const PREPARED_PUBLISH_MAX = 3;
const publishQueries = new Map<number, PreparedQuery<Record<string, unknown>, unknown>>();

function publishQuery(count: number): PreparedQuery<Record<string, unknown>, unknown> {
  let query = publishQueries.get(count);
  if (!query) {
    query = new PreparedQuery((db) =>
      db.insertInto('realtime_events').values(
        Array.from({ length: count }, (_, i) => ({
          workspace_id: param('workspaceId'),
          type: param(`type${i}`),
          payload: param(`payload${i}`),
          created_at: param<number>('at'),
        })),
      ),
    );
    publishQueries.set(count, query);
  }
  return query;
}

/** Queues events for the workspace's realtime stream; they become visible with the commit. */
export async function publishRealtime(trx: Kysely<Database>, workspaceId: string, entries: RealtimeEntry[], at: number): Promise<void> {
  if (entries.length === 0) return;
  // A batch of messages publishes many at once: one plain insert, not a prepared query per count.
  if (entries.length > PREPARED_PUBLISH_MAX) {
    await trx.insertInto('realtime_events').values(entries.map((entry) => ({ workspace_id: workspaceId, type: entry.type, payload: JSON.stringify(entry.payload), created_at: at }))).execute();
    return;
  }
  const args: Record<string, unknown> = { workspaceId, at };
  entries.forEach((entry, i) => {
    args[`type${i}`] = entry.type;
    args[`payload${i}`] = JSON.stringify(entry.payload);
  });
  await publishQuery(entries.length).execute(trx, args);
}
