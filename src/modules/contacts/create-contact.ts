// An agent adds a contact by hand (before writing to them, or to keep a customer's details).
import type { UserActor } from '../../domain/actor.js';
import { DomainError } from '../../domain/errors.js';
import { normalizeTags } from '../../domain/tags.js';
import type { Deps } from '../deps.js';
import { attachAddress, type AddressInput } from './contact-identities.js';
import { insertContact, replaceContactTags } from './contact.repo.js';

export interface NewContactInput {
  name?: string | null;
  addresses: AddressInput[];
  tags?: string[];
}

/** Creates the contact with its addresses; an address owned by another contact refuses the whole creation. */
export async function createContact(deps: Pick<Deps, 'store' | 'clock'>, actor: UserActor, input: NewContactInput): Promise<{ contactId: string }> {
  const name = input.name?.trim() || null;
  if (!name && input.addresses.length === 0) {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: 'Give the contact a name or at least one address.', details: { field: 'name' } });
  }
  return deps.store.unit(async (trx) => {
    const now = deps.clock.now();
    const contact = await insertContact(trx, actor.workspaceId, name, now);
    for (const address of input.addresses) await attachAddress(trx, actor.workspaceId, contact.id, address, now);
    if (input.tags?.length) await replaceContactTags(trx, actor.workspaceId, contact.id, normalizeTags(input.tags));
    return { contactId: contact.id };
  });
}
