// Public comments a channel's comment rules record without opening a ticket ("love it!", emoji, friends
// tagged): one row per comment, with the rule that decided, so they stay on the contact's timeline and
// can be counted per rule; a comment from a customer with an active ticket joins that ticket instead.
// Instagram channels connected before rules existed opened a ticket for every comment: they keep doing so
// (rules: none, otherwise: ticket) until an admin chooses rules; new channels get the defaults.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('recorded_comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    // Not references: the contact may be merged away later; the record stays (merges move it).
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('media_id', 'text')
    .addColumn('permalink', 'text')
    // Null when no rule matched and the channel's "otherwise" recorded it.
    .addColumn('rule_id', 'text')
    .addColumn('commented_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('recorded_comments_message', ['channel_id', 'provider_message_id'])
    .execute();
  await sql`create index recorded_comments_workspace on recorded_comments (workspace_id, received_at)`.execute(db);
  await sql`create index recorded_comments_contact on recorded_comments (contact_id, received_at)`.execute(db);

  const channels = await db.selectFrom('channels').select(['id', 'config']).where('kind', '=', 'instagram').execute();
  for (const channel of channels as { id: string; config: string }[]) {
    const config = JSON.parse(channel.config) as Record<string, unknown>;
    if (config.commentRules) continue;
    await db
      .updateTable('channels')
      .set({ config: JSON.stringify({ ...config, commentRules: { rules: [], otherwise: 'ticket' } }) })
      .where('id', '=', channel.id)
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('recorded_comments').ifExists().execute();
}
