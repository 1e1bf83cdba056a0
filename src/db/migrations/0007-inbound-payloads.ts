// What providers deliver (Meta webhook bodies, raw email), stored exactly as received before it is
// parsed or acknowledged, then processed by a job. A payload that fails to process stays here with its
// error, so nothing a provider handed over is ever lost, and it can be processed again once fixed.
import { sql, type Kysely } from 'kysely';
import { engineOf } from '../dialect/engine.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbound_payloads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // whatsapp, instagram, email-smtp, email-imap, email-http: which parser reads it.
    .addColumn('source', 'text', (c) => c.notNull())
    // Known when the transport names the channel (an email's recipient); Meta batches may span channels.
    .addColumn('channel_id', 'text', (c) => c.references('channels.id'))
    .addColumn('raw', engineOf(db) === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('signature', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('available_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('processed_at', 'bigint')
    .addColumn('last_error', 'text')
    .execute();
  // Only unprocessed payloads are ever looked up by time; the index stays as small as the backlog.
  await sql`create index inbound_payloads_pending on inbound_payloads (available_at) where processed_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbound_payloads').ifExists().execute();
}
