// Failed sign-ins counted in the store, so every server process applies one limit together
// (src/domain/sign-in-throttle.ts). Keys are hashes: no email or address is kept in the clear.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    // Before this instant (epoch ms) the next attempt under this key is refused without a password check.
    .addColumn('retry_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_throttle_retry_at').on('sign_in_throttle').column('retry_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sign_in_throttle').ifExists().execute();
}
