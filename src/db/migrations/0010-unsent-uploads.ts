// Files agents upload but never send are deleted after a while: this index finds them without reading
// every attachment (only rows still waiting for a message are in it).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index attachments_unsent on attachments (created_at) where message_id is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists attachments_unsent`.execute(db);
}
