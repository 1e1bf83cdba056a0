// Indexes for the inbox lists. Each carries the list's filter columns (status, assignee, channel), so a
// page reads about as many ticket rows as it returns: tickets that do not match are skipped on the
// index entry instead of being read from the table, which on a store of 200k tickets made a list of a
// rare status read every ticket of the workspace.
import type { Kysely } from 'kysely';

const FILTERS = ['assignee_user_id', 'channel_id'];

export async function up(db: Kysely<any>): Promise<void> {
  // A status view ("open", "resolved", …) is one seek, read in activity order.
  await db.schema.createIndex('tickets_list_by_status').on('tickets').columns(['workspace_id', 'status', 'last_activity_at', 'id', ...FILTERS]).execute();
  // Lists over several statuses or all of them: activity order, with the status on the entry too. It
  // replaces tickets_activity rather than sitting beside it: every message moves the ticket's entry in
  // each activity-ordered index, so two of them cost ingest less than three would.
  await db.schema.dropIndex('tickets_activity').execute();
  await db.schema.createIndex('tickets_list_by_activity').on('tickets').columns(['workspace_id', 'last_activity_at', 'id', 'status', ...FILTERS]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tickets_list_by_activity').execute();
  await db.schema.createIndex('tickets_activity').on('tickets').columns(['workspace_id', 'last_activity_at', 'id']).execute();
  await db.schema.dropIndex('tickets_list_by_status').execute();
}
