// PostgreSQL only: every insert into realtime_events signals 'threadbox_realtime', so each server process
// reads new events at once instead of at its next poll. The notification goes out with the commit, the
// moment the rows become visible, and one statement signals once however many rows it inserts.
// SQLite needs no signal: one process owns a database file and its feed sees its own writes by polling.
// The channel name is spelled out here rather than imported: a migration is history and must not change
// when the code around it does (the feed names the same channel, see src/realtime/realtime-feed.ts).
import { sql, type Kysely } from 'kysely';
import { engineOf } from '../dialect/engine.js';

export async function up(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  await sql`
    create function threadbox_realtime_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('threadbox_realtime', '');
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger realtime_events_notify after insert on realtime_events
    for each statement execute function threadbox_realtime_notify()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  await sql`drop trigger if exists realtime_events_notify on realtime_events`.execute(db);
  await sql`drop function if exists threadbox_realtime_notify()`.execute(db);
}
