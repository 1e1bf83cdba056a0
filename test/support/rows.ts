// Reading back what the use cases stored, for assertions.
import type { Database } from '../../src/db/schema.js';
import type { Store } from '../../src/db/store.js';

/** A ticket by id; throws when there is none. */
export function ticketRow(store: Store, id: string) {
  return store.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** The tickets of a contact, by number. */
export function ticketsOfContact(store: Store, contactId: string) {
  return store.db.selectFrom('tickets').selectAll().where('contact_id', '=', contactId).orderBy('number').execute();
}

/** A message by id; throws when there is none. */
export function messageRow(store: Store, id: string) {
  return store.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** The messages of a ticket, oldest first. */
export function messagesOf(store: Store, ticketId: string) {
  return store.db.selectFrom('messages').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute();
}

/** How many rows a table holds. */
export async function countRows(store: Store, table: keyof Database): Promise<number> {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
