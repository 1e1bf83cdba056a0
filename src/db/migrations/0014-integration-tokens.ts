// Integration tokens (issue 13): API tokens that belong to the workspace, not to a person. They live in
// `api_tokens` beside personal tokens (one lookup, one hashing scheme), told apart by `kind`; for an
// integration token `user_id` is the admin who created it, and it keeps working after that admin leaves.
// Messages and timeline events an integration writes name it, so the thread can show who sent them.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('kind', 'text', (c) => c.notNull().defaultTo('personal')).execute();
  await db.schema.createIndex('api_tokens_workspace_kind').on('api_tokens').columns(['workspace_id', 'kind']).execute();
  await db.schema.alterTable('messages').addColumn('author_integration_id', 'text').execute();
  await db.schema.alterTable('ticket_events').addColumn('actor_integration_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ticket_events').dropColumn('actor_integration_id').execute();
  await db.schema.alterTable('messages').dropColumn('author_integration_id').execute();
  await db.schema.dropIndex('api_tokens_workspace_kind').ifExists().execute();
  await db.schema.alterTable('api_tokens').dropColumn('kind').execute();
}
