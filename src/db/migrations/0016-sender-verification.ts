// Checking who really sent a mail: the SMTP envelope (connecting address, HELO name, MAIL FROM) is kept
// beside the raw message, since SPF is judged on it; and mail whose From could not be verified is held in
// `inbound_held` (one row per message) until a person releases it into its ticket or discards it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inbound_payloads').addColumn('envelope', 'text').execute();

  await db.schema
    .createTable('inbound_held')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    // Not a reference: stored deliveries are pruned on their own schedule; the record stays.
    .addColumn('payload_id', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    // JSON: the sender check's verdict, as shown to the person deciding.
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('decided_by_user_id', 'text')
    // released (reaches its ticket) or discarded (stays here only)
    .addColumn('decision', 'text')
    .addUniqueConstraint('inbound_held_message', ['channel_id', 'provider_message_id'])
    .execute();
  await sql`create index inbound_held_workspace on inbound_held (workspace_id, received_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbound_held').ifExists().execute();
  await db.schema.alterTable('inbound_payloads').dropColumn('envelope').execute();
}
