// Stored deliveries are leased oldest first, ties by id: the index over the backlog holds both, so a
// lease reads the first due rows in index order instead of reading and sorting the whole backlog (with a
// million waiting, that sort took seconds per batch on PostgreSQL).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index inbound_payloads_due on inbound_payloads (available_at, id) where processed_at is null`.execute(db);
  await sql`drop index inbound_payloads_pending`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index inbound_payloads_pending on inbound_payloads (available_at) where processed_at is null`.execute(db);
  await sql`drop index inbound_payloads_due`.execute(db);
}
