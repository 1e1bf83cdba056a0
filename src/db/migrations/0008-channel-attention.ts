// Outbound on provider channels: a channel whose credentials the provider refused is flagged until an admin
// replaces them (its messages wait meanwhile); when its templates were last synced and last tried; and the
// next moment a channel may send, shared by every server process so a per-number rate limit holds across
// all of them.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One column per statement: SQLite adds a single column per ALTER TABLE.
  await db.schema.alterTable('channels').addColumn('attention_reason', 'text').execute();
  await db.schema.alterTable('channels').addColumn('needs_attention_since', 'bigint').execute();
  await db.schema.alterTable('channels').addColumn('templates_synced_at', 'bigint').execute();
  // When the periodic job last tried, successful or not: one process claims a channel, a failing one waits.
  await db.schema.alterTable('channels').addColumn('templates_sync_attempted_at', 'bigint').execute();

  await db.schema
    .createTable('send_rate_slots')
    .addColumn('channel_id', 'text', (c) => c.primaryKey().references('channels.id'))
    // The earliest time the channel's next message may go out; each send moves it one interval on. In
    // microseconds since the epoch: at 1,000 messages a second an interval is about a millisecond.
    .addColumn('next_slot_us', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('send_rate_slots').ifExists().execute();
  for (const column of ['templates_sync_attempted_at', 'templates_synced_at', 'needs_attention_since', 'attention_reason']) {
    await db.schema.alterTable('channels').dropColumn(column).execute();
  }
}
