// What agents do to a contact outside a ticket: rename, tag, add and remove addresses.
import type { UserActor } from '../../domain/actor.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { normalizeTags } from '../../domain/tags.js';
import type { Deps } from '../deps.js';
import { attachAddress, type AddressInput } from './contact-identities.js';
import { lockContact, replaceContactTags } from './contact.repo.js';

type EngineDeps = Pick<Deps, 'store' | 'clock'>;

/** Replaces a contact's own tags (kept apart from the tags of its tickets). */
export async function setContactTags(deps: EngineDeps, actor: UserActor, contactId: string, tags: string[]): Promise<string[]> {
  const next = normalizeTags(tags);
  return deps.store.unit(async (trx) => {
    if (!(await lockContact(trx, actor.workspaceId, contactId, deps.clock.now()))) throw notFound('The contact');
    await replaceContactTags(trx, actor.workspaceId, contactId, next);
    return next;
  });
}

export interface ContactChange {
  /** null clears the name (the provider's display names still show). */
  name?: string | null;
  tags?: string[];
}

/** Renames and re-tags a contact in one transaction. */
export async function updateContact(deps: EngineDeps, actor: UserActor, contactId: string, change: ContactChange): Promise<void> {
  await deps.store.unit(async (trx) => {
    const now = deps.clock.now();
    if (!(await lockContact(trx, actor.workspaceId, contactId, now))) throw notFound('The contact');
    if (change.name !== undefined) {
      await trx.updateTable('contacts').set({ name: change.name?.trim() || null }).where('id', '=', contactId).execute();
    }
    if (change.tags) await replaceContactTags(trx, actor.workspaceId, contactId, normalizeTags(change.tags));
  });
}

/** Gives the contact another address on a channel of the workspace. */
export async function addContactAddress(deps: EngineDeps, actor: UserActor, contactId: string, input: AddressInput): Promise<void> {
  await deps.store.unit(async (trx) => {
    const now = deps.clock.now();
    if (!(await lockContact(trx, actor.workspaceId, contactId, now))) throw notFound('The contact');
    await attachAddress(trx, actor.workspaceId, contactId, input, now);
  });
}

/**
 * Removes an address from a contact. Refused while the contact has an active ticket on that channel,
 * which is where replies to that address go.
 */
export async function removeContactAddress(deps: EngineDeps, actor: UserActor, contactId: string, identityId: string): Promise<void> {
  await deps.store.unit(async (trx) => {
    if (!(await lockContact(trx, actor.workspaceId, contactId, deps.clock.now()))) throw notFound('The contact');
    const identity = await trx
      .selectFrom('contact_identities')
      .select(['id', 'channel_id'])
      .where('id', '=', identityId)
      .where('contact_id', '=', contactId)
      .executeTakeFirst();
    if (!identity) throw notFound('The address');
    const active = await trx
      .selectFrom('tickets')
      .select(['id', 'number'])
      .where('contact_id', '=', contactId)
      .where('channel_id', '=', identity.channel_id)
      .where('status', '<>', 'closed')
      .executeTakeFirst();
    if (active) {
      throw new DomainError({
        code: 'ADDRESS_IN_USE',
        message: `Ticket #${active.number} is still open on this address; close it before removing the address.`,
        details: { ticketId: active.id, ticketNumber: active.number },
      });
    }
    await trx.deleteFrom('contact_identities').where('id', '=', identity.id).execute();
  });
}
