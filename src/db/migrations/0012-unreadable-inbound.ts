// Parts of a provider payload that do not match the provider's documented types (a number as a text's
// body, an object as a timestamp): never turned into messages with invented values, but recorded here,
// with the reason, beside the payload kept exactly as received, so an admin can see what was not read.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbound_unreadable')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    .addColumn('payload_id', 'text', (c) => c.notNull().references('inbound_payloads.id'))
    // Where in the payload: `entry[0].changes[0].value.messages[1]`; with payload_id, what makes a row unique.
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('inbound_unreadable_item', ['payload_id', 'item'])
    .execute();
  await sql`create index inbound_unreadable_workspace on inbound_unreadable (workspace_id, received_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbound_unreadable').ifExists().execute();
}
