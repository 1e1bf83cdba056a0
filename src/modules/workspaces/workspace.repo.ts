// Workspaces and their per-workspace ticket counter.
import type { Kysely } from 'kysely';
import type { Database, WorkspaceRow } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';

export async function insertWorkspace(db: Kysely<Database>, name: string, now: number): Promise<WorkspaceRow> {
  return db
    .insertInto('workspaces')
    .values({ id: newId(), name, ticket_seq: 0, reopen_on_customer_message: 1, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findWorkspace(db: Kysely<Database>, id: string): Promise<WorkspaceRow | undefined> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function reopensOnCustomerMessage(db: Kysely<Database>, workspaceId: string): Promise<boolean> {
  const row = await db.selectFrom('workspaces').select('reopen_on_customer_message').where('id', '=', workspaceId).executeTakeFirstOrThrow();
  return row.reopen_on_customer_message === 1;
}

/**
 * The next ticket number of a workspace. The increment locks the workspace's counter until commit, so
 * call it as late as possible in the transaction: creators of one workspace queue here.
 */
export async function takeTicketNumber(trx: Kysely<Database>, workspaceId: string): Promise<number> {
  const row = await trx
    .updateTable('workspaces')
    .set((eb) => ({ ticket_seq: eb('ticket_seq', '+', 1) }))
    .where('id', '=', workspaceId)
    .returning('ticket_seq')
    .executeTakeFirstOrThrow();
  return row.ticket_seq;
}
