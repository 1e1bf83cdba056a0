// The first schema: every table scoped by workspace, with the invariants enforced by indexes.
import { sql, type Kysely } from 'kysely';
import { engineOf } from '../dialect/engine.js';

export async function up(db: Kysely<any>): Promise<void> {
  const time = 'bigint';

  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ticket_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reopen_on_customer_message', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_workspace').on('users').column('workspace_id').execute();

  await db.schema
    .createTable('channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('sandbox', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  // A provider account routes to exactly one channel, whatever the workspace.
  await db.schema.createIndex('channels_route').on('channels').columns(['kind', 'external_id']).unique().execute();
  await db.schema.createIndex('channels_workspace').on('channels').column('workspace_id').execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contacts_workspace').on('contacts').columns(['workspace_id', 'updated_at']).execute();

  await db.schema
    .createTable('contact_identities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    .addColumn('channel_kind', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('username', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('identities_address').on('contact_identities').columns(['channel_id', 'address']).unique().execute();
  await db.schema.createIndex('identities_contact').on('contact_identities').column('contact_id').execute();
  await db.schema
    .createIndex('identities_kind_address')
    .on('contact_identities')
    .columns(['workspace_id', 'channel_kind', 'address'])
    .execute();

  await db.schema
    .createTable('contact_tags')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_tags_pk', ['contact_id', 'tag'])
    .execute();

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    // Null only inside the transaction that creates the ticket, until it takes its number (last).
    .addColumn('number', 'integer')
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull().defaultTo('normal'))
    .addColumn('subject', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('creator_user_id', 'text')
    .addColumn('assignee_user_id', 'text')
    .addColumn('snoozed_until', time)
    .addColumn('last_message_direction', 'text')
    .addColumn('last_inbound_at', time)
    .addColumn('last_outbound_at', time)
    .addColumn('last_customer_sent_at', time)
    .addColumn('last_activity_at', time, (c) => c.notNull())
    .addColumn('last_message_preview', 'text')
    .addColumn('first_response_at', time)
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .addColumn('closed_at', time)
    .addColumn('closed_by_user_id', 'text')
    .addColumn('closed_by_rule_id', 'text')
    .addColumn('close_reason', 'text')
    .addColumn('previous_ticket_id', 'text')
    .execute();
  await db.schema.createIndex('tickets_number').on('tickets').columns(['workspace_id', 'number']).unique().execute();
  // One active ticket per (channel, contact): the database refuses a second one, whatever the timing.
  await sql`create unique index tickets_one_active on tickets (channel_id, contact_id) where status <> 'closed'`.execute(db);
  await db.schema.createIndex('tickets_activity').on('tickets').columns(['workspace_id', 'last_activity_at', 'id']).execute();
  await db.schema.createIndex('tickets_contact').on('tickets').columns(['contact_id', 'created_at']).execute();
  // For the auto-close and snooze sweeps; it leaves out activity times so that recording a message does
  // not rewrite this index.
  await db.schema.createIndex('tickets_sweep').on('tickets').columns(['channel_id', 'status']).execute();

  await db.schema
    .createTable('ticket_tags')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_tags_pk', ['ticket_id', 'tag'])
    .execute();
  await db.schema.createIndex('ticket_tags_tag').on('ticket_tags').columns(['workspace_id', 'tag']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('author_kind', 'text', (c) => c.notNull())
    .addColumn('author_user_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('html', 'text')
    .addColumn('subject', 'text')
    .addColumn('template', 'text')
    .addColumn('attachments', 'text')
    .addColumn('data', 'text')
    .addColumn('automated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('provider_message_id', 'text')
    .addColumn('provider_timestamp', time)
    .addColumn('reply_to_provider_message_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  // A provider message is stored once per channel, however often the provider delivers it.
  await db.schema.createIndex('messages_provider_id').on('messages').columns(['channel_id', 'provider_message_id']).unique().execute();
  await db.schema.createIndex('messages_ticket').on('messages').columns(['ticket_id', 'created_at']).execute();

  await db.schema
    .createTable('ticket_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('data', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_events_ticket').on('ticket_events').columns(['ticket_id', 'created_at']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('channel_id', 'text')
    .addColumn('payload', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('available_at', time, (c) => c.notNull())
    .addColumn('locked_until', time)
    .addColumn('last_error', 'text')
    .addColumn('done_at', time)
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await sql`create index outbox_due on outbox (available_at) where done_at is null`.execute(db);

  const postgres = engineOf(db) === 'postgres';
  await db.schema
    .createTable('realtime_events')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('realtime_events_workspace').on('realtime_events').columns(['workspace_id', 'seq']).execute();

  await db.schema
    .createTable('auto_close_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auto_close_rules_channel_kind').on('auto_close_rules').columns(['channel_id', 'kind']).unique().execute();

  await db.schema
    .createTable('templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('templates_channel_name').on('templates').columns(['channel_id', 'name', 'language']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'templates', 'auto_close_rules', 'realtime_events', 'outbox', 'ticket_events', 'messages', 'ticket_tags',
    'tickets', 'contact_tags', 'contact_identities', 'contacts', 'channels', 'users', 'workspaces',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
