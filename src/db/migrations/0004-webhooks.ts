// Outgoing webhooks: the admin-configured endpoints, and the one cursor of the job that fans realtime
// events out to them.
//
// On PostgreSQL a sequence value is taken when a row is inserted, not when its transaction commits, so
// a seq cursor alone would step over an event whose transaction commits after a later one. Every event
// therefore also records the id of the transaction that wrote it, and the fan-out reads in (xid, seq)
// order only what transactions older than every running one wrote (see fan-out-webhook-events.ts).
// SQLite has one writer at a time, so there seq order is commit order and the seq alone is the cursor.
import { sql, type Kysely } from 'kysely';
import { engineOf } from '../dialect/engine.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('description', 'text')
    .addColumn('start_after_seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_delivery_at', 'bigint')
    .addColumn('last_failure_at', 'bigint')
    .addColumn('last_failure_reason', 'text')
    .execute();
  await db.schema.createIndex('webhooks_workspace').on('webhooks').columns(['workspace_id', 'created_at']).execute();

  await db.schema
    .createTable('webhook_dispatch_cursor')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_xid', 'bigint', (c) => c.notNull())
    .execute();

  if (engineOf(db) === 'postgres') {
    // Existing rows take this migration's transaction id, which the cursor below starts at: they are history.
    await sql`alter table realtime_events add column xid bigint not null default (pg_current_xact_id()::text::bigint)`.execute(db);
    await sql`create index realtime_events_commit_order on realtime_events (xid, seq)`.execute(db);
    await sql`
      insert into webhook_dispatch_cursor (id, last_seq, last_xid)
      select 'default', coalesce(max(seq), 0), pg_current_xact_id()::text::bigint from realtime_events`.execute(db);
  } else {
    await sql`insert into webhook_dispatch_cursor (id, last_seq, last_xid) select 'default', coalesce(max(seq), 0), 0 from realtime_events`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (engineOf(db) === 'postgres') {
    await sql`drop index if exists realtime_events_commit_order`.execute(db);
    await sql`alter table realtime_events drop column if exists xid`.execute(db);
  }
  await db.schema.dropTable('webhook_dispatch_cursor').ifExists().execute();
  await db.schema.dropTable('webhooks').ifExists().execute();
}
