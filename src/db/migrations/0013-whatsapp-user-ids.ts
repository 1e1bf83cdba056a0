// WhatsApp customers who adopted a username may write with a business-scoped user id (BSUID) and no
// phone number (channels.md §A.2.1). An identity keeps each key WhatsApp gives apart: `wa_id` (the phone,
// when known), `user_id` (the BSUID), `parent_user_id` (the parent BSUID); `username` exists already.
// `address` stays the key sends go to: the phone when known, else the BSUID. A BSUID belongs to one
// contact per channel (a partial unique index, so the many identities without one cost nothing).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  for (const column of ['wa_id', 'user_id', 'parent_user_id']) {
    await db.schema.alterTable('contact_identities').addColumn(column, 'text').execute();
  }
  await sql`update contact_identities set wa_id = address where channel_kind = 'whatsapp'`.execute(db);
  await sql`create unique index identities_user_id on contact_identities (channel_id, user_id) where user_id is not null`.execute(db);
  await sql`create index identities_parent_user_id on contact_identities (channel_id, parent_user_id) where parent_user_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists identities_parent_user_id`.execute(db);
  await sql`drop index if exists identities_user_id`.execute(db);
  for (const column of ['parent_user_id', 'user_id', 'wa_id']) {
    await db.schema.alterTable('contact_identities').dropColumn(column).execute();
  }
}
