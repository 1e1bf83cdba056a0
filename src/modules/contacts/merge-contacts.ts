// Merging a duplicate contact into the one the team keeps: its addresses, tickets and tags move over,
// and the duplicate disappears. One active ticket per (channel, contact) still holds afterwards.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import type { Actor, UserActor } from '../../domain/actor.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { appendTimeline, publishRealtime } from '../../events/event.repo.js';
import type { Deps } from '../deps.js';
import { lockContact } from './contact.repo.js';

const activeTicketsClash = (details: Record<string, unknown>) =>
  new DomainError({
    code: 'MERGE_ACTIVE_TICKETS_CONFLICT',
    message: 'Both contacts have an active ticket on the same channel; close one of them, then merge.',
    details,
  });

/** Moves everything of `duplicateId` onto `keepId` and deletes the duplicate. */
export async function mergeContacts(deps: Pick<Deps, 'store' | 'clock'>, actor: UserActor, keepId: string, duplicateId: string): Promise<{ movedTicketIds: string[] }> {
  if (keepId === duplicateId) throw new DomainError({ code: 'VALIDATION_FAILED', message: 'A contact cannot be merged into itself.', details: { field: 'duplicateContactId' } });
  try {
    return await deps.store.unit((trx) =>
      mergeContactsInTransaction(trx, actor.workspaceId, keepId, duplicateId, { kind: 'user', userId: actor.userId, workspaceId: actor.workspaceId }, deps.clock.now()),
    );
  } catch (error) {
    // A customer message that opened a ticket for either contact while the merge ran.
    if (isUniqueViolation(error)) throw activeTicketsClash({});
    if (isForeignKeyViolation(error)) {
      throw new DomainError({ code: 'CONFLICT', message: 'The contact received a message while merging; nothing was changed, try again.' });
    }
    throw error;
  }
}

/**
 * The merge itself, inside the caller's transaction: also used by ingest when a WhatsApp message shows
 * that two contacts are one customer (phone and BSUID). Throws MERGE_ACTIVE_TICKETS_CONFLICT, changing
 * nothing it has not already written (callers roll back), when both have an active ticket on one channel.
 */
export async function mergeContactsInTransaction(trx: Kysely<Database>, workspaceId: string, keepId: string, duplicateId: string, actor: Actor, now: number): Promise<{ movedTicketIds: string[] }> {
  // Locked in id order, so two merges of the same pair in opposite directions queue instead of deadlocking.
  for (const id of [keepId, duplicateId].sort()) {
    if (!(await lockContact(trx, workspaceId, id, now))) throw notFound('The contact');
  }
  const active = await trx
    .selectFrom('tickets')
    .select(['id', 'number', 'channel_id', 'contact_id'])
    .where('contact_id', 'in', [keepId, duplicateId])
    .where('status', '<>', 'closed')
    .execute();
  const kept = active.filter((t) => t.contact_id === keepId);
  const clash = active.filter((t) => t.contact_id === duplicateId && kept.some((k) => k.channel_id === t.channel_id));
  if (clash.length) {
    throw activeTicketsClash({ tickets: [...clash, ...kept.filter((k) => clash.some((c) => c.channel_id === k.channel_id))].map((t) => ({ id: t.id, number: t.number })) });
  }

  await trx.updateTable('contact_identities').set({ contact_id: keepId }).where('contact_id', '=', duplicateId).execute();
  const moved = await trx
    .updateTable('tickets')
    .set({ contact_id: keepId, updated_at: now })
    .where('contact_id', '=', duplicateId)
    .returning(['id', 'number', 'workspace_id'])
    .execute();
  const duplicate = await trx.selectFrom('contacts').select('name').where('id', '=', duplicateId).executeTakeFirstOrThrow();
  await trx
    .insertInto('contact_tags')
    .columns(['workspace_id', 'contact_id', 'tag'])
    .expression((eb) => eb.selectFrom('contact_tags').select([eb.val(workspaceId).as('workspace_id'), eb.val(keepId).as('contact_id'), 'tag']).where('contact_id', '=', duplicateId))
    .onConflict((oc) => oc.doNothing())
    .execute();
  await trx.deleteFrom('contact_tags').where('contact_id', '=', duplicateId).execute();
  // The duplicate's own timeline (blocks on its addresses, which moved with them) continues on the kept contact.
  await trx.updateTable('contact_events').set({ contact_id: keepId }).where('contact_id', '=', duplicateId).execute();
  await trx.updateTable('recorded_comments').set({ contact_id: keepId }).where('contact_id', '=', duplicateId).execute();
  // The kept contact takes the duplicate's name only when it has none of its own.
  await trx.updateTable('contacts').set({ name: (eb) => eb.fn.coalesce('name', eb.val(duplicate.name)) }).where('id', '=', keepId).execute();
  await trx.deleteFrom('contacts').where('id', '=', duplicateId).execute();

  for (const ticket of moved) {
    await appendTimeline(trx, ticket, actor, [{ type: 'contact.merged', data: { fromContactId: duplicateId, intoContactId: keepId } }], now);
  }
  await publishRealtime(trx, workspaceId, moved.map((t) => ({ type: 'ticket.updated' as const, payload: { ticketId: t.id, number: t.number } })), now);
  return { movedTicketIds: moved.map((t) => t.id) };
}
