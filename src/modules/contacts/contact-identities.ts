// Adding an address an agent typed to a contact: on a channel of the workspace, in the channel's
// canonical form, and never an address another contact already owns.
import type { Kysely } from 'kysely';
import { channelRules } from '../../channels/registry.js';
import type { Database } from '../../db/schema.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { findChannel } from '../channels/channel.repo.js';
import { insertIdentity } from './contact.repo.js';

export interface AddressInput {
  channelId: string;
  address: string;
}

/** Adds the address to the contact; adding one it already has changes nothing. */
export async function attachAddress(trx: Kysely<Database>, workspaceId: string, contactId: string, input: AddressInput, now: number): Promise<void> {
  const channel = await findChannel(trx, input.channelId);
  if (!channel || channel.workspace_id !== workspaceId) throw notFound('The channel');
  const address = channelRules(channel.kind).normalizeAddress(input.address);
  if (!address) {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: `"${input.address}" is not a valid ${channel.kind} address.`, details: { field: 'address' } });
  }
  const inserted = await insertIdentity(trx, contactId, { workspaceId, channelId: channel.id, channelKind: channel.kind, address }, now);
  if (inserted) return;
  const owner = await trx.selectFrom('contact_identities').select('contact_id').where('channel_id', '=', channel.id).where('address', '=', address).executeTakeFirstOrThrow();
  if (owner.contact_id === contactId) return;
  throw new DomainError({
    code: 'CONTACT_ADDRESS_TAKEN',
    message: `${address} already belongs to another contact on this channel; merge the two contacts instead.`,
    details: { contactId: owner.contact_id, channelId: channel.id, address },
  });
}
