// Email threading and mailbox polling. Who is on a ticket's mail thread (the customer, and whoever they copied)
// decides whether a reply may join that ticket; each polled mailbox remembers how far it was read, so a restart
// neither loses nor re-imports mail.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ticket_participants')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
    // Normalized address, as contact identities store it.
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_participants_pk', ['ticket_id', 'address'])
    .execute();

  await db.schema
    .createTable('email_mailbox_cursors')
    .addColumn('channel_id', 'text', (c) => c.primaryKey().references('channels.id'))
    .addColumn('mailbox', 'text', (c) => c.notNull())
    // UIDs are only meaningful under the UIDVALIDITY they were read with (RFC 3501 §2.3.1.1).
    .addColumn('uid_validity', 'text', (c) => c.notNull())
    .addColumn('last_uid', 'bigint', (c) => c.notNull())
    // One process reads a mailbox at a time; a lease that ran out means its holder is gone.
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('email_mailbox_cursors').ifExists().execute();
  await db.schema.dropTable('ticket_participants').ifExists().execute();
}
