// Workspaces and their per-workspace ticket counter.
import { sql, type Kysely } from 'kysely';
import { engineOf } from '../../db/dialect/engine.js';
import type { Database, WorkspaceRow } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';

export async function insertWorkspace(db: Kysely<Database>, name: string, now: number): Promise<WorkspaceRow> {
  return db
    .insertInto('workspaces')
    .values({ id: newId(), name, ticket_seq: 0, reopen_on_customer_message: 1, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function reopensOnCustomerMessage(db: Kysely<Database>, workspaceId: string): Promise<boolean> {
  const row = await db.selectFrom('workspaces').select('reopen_on_customer_message').where('id', '=', workspaceId).executeTakeFirstOrThrow();
  return row.reopen_on_customer_message === 1;
}

/**
 * Takes the next number of a workspace's counter for one of its tickets. The increment locks the counter
 * until commit. On PostgreSQL both updates are one statement, so the lock is held for no more than that
 * statement and the commit; SQLite serializes writers anyway.
 */
export async function numberTicket(trx: Kysely<Database>, workspaceId: string, ticketId: string): Promise<number> {
  if (engineOf(trx) === 'postgres') {
    const row = await trx
      .with('taken', (db) =>
        db
          .updateTable('workspaces')
          .set((eb) => ({ ticket_seq: eb('ticket_seq', '+', 1) }))
          .where('id', '=', workspaceId)
          .returning('ticket_seq'),
      )
      .updateTable('tickets')
      .set((eb) => ({ number: eb.selectFrom('taken').select('ticket_seq') }))
      .where('id', '=', ticketId)
      .returning('number')
      .executeTakeFirstOrThrow();
    return row.number;
  }
  const { ticket_seq: number } = await trx
    .updateTable('workspaces')
    .set((eb) => ({ ticket_seq: eb('ticket_seq', '+', 1) }))
    .where('id', '=', workspaceId)
    .returning('ticket_seq')
    .executeTakeFirstOrThrow();
  await trx.updateTable('tickets').set({ number }).where('id', '=', ticketId).execute();
  return number;
}

/**
 * Gives tickets opened in this transaction the next numbers of their workspace, in the order given: the
 * range is taken with one increment, so a batch locks the counter once (until commit, as numberTicket).
 */
export async function numberTickets(trx: Kysely<Database>, workspaceId: string, ticketIds: string[]): Promise<Map<string, number>> {
  if (ticketIds.length === 0) return new Map();
  const { ticket_seq: last } = await trx
    .updateTable('workspaces')
    .set((eb) => ({ ticket_seq: eb('ticket_seq', '+', ticketIds.length) }))
    .where('id', '=', workspaceId)
    .returning('ticket_seq')
    .executeTakeFirstOrThrow();
  const numbers = new Map(ticketIds.map((id, i) => [id, last - ticketIds.length + 1 + i]));
  await trx
    .updateTable('tickets')
    .set({ number: sql<number>`case id ${sql.join([...numbers].map(([id, number]) => sql`when ${id} then cast(${number} as integer)`), sql` `)} end` })
    .where('id', 'in', ticketIds)
    .execute();
  return numbers;
}
