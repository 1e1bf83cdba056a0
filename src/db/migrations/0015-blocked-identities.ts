// Blocking a contact on a channel (spam numbers): the block is kept on each of the contact's identities
// on that channel, so ingest learns it from the identity row it reads anyway. A blocked sender's
// deliveries are still acknowledged and kept in `inbound_payloads`; each of its messages is recorded in
// `inbound_blocked` (once per provider message id) instead of opening a ticket. `contact_events` is the
// contact's own timeline (blocked, unblocked), which moves with the contact when it is merged.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contact_identities').addColumn('blocked_at', 'bigint').execute();
  await db.schema.alterTable('contact_identities').addColumn('blocked_by_user_id', 'text').execute();

  await db.schema
    .createTable('contact_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await sql`create index contact_events_contact on contact_events (contact_id, created_at)`.execute(db);

  await db.schema
    .createTable('inbound_blocked')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    // Not references: the identity may be removed and the contact merged away later; the record stays.
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('identity_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('inbound_blocked_message', ['channel_id', 'provider_message_id'])
    .execute();
  await sql`create index inbound_blocked_workspace on inbound_blocked (workspace_id, received_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbound_blocked').ifExists().execute();
  await db.schema.dropTable('contact_events').ifExists().execute();
  await db.schema.alterTable('contact_identities').dropColumn('blocked_by_user_id').execute();
  await db.schema.alterTable('contact_identities').dropColumn('blocked_at').execute();
}
