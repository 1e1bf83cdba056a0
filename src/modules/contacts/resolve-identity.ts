// Finding (or creating) the contact behind an address on a channel, safely under concurrency.
import { sql, type Kysely } from 'kysely';
import { channelRules } from '../../channels/registry.js';
import type { Database } from '../../db/schema.js';
import { findContactIdByAddress, findIdentityKeepingProfile, insertContact, insertIdentity, type IdentityInput } from './contact.repo.js';

export interface ResolvedIdentity {
  identityId: string;
  contactId: string;
  created: boolean;
}

/**
 * The identity for an address on a channel, created with its contact when new. A new address reuses
 * the contact already known by the same phone number or email on a sibling channel. Two transactions
 * racing on the same new address end with one identity: the loser rolls back its contact and reads
 * the winner's.
 */
export async function resolveIdentity(trx: Kysely<Database>, input: IdentityInput, now: number): Promise<ResolvedIdentity> {
  const known = await findIdentityKeepingProfile(trx, input);
  if (known) return { identityId: known.id, contactId: known.contact_id, created: false };

  await sql`savepoint new_identity`.execute(trx);
  const sibling = channelRules(input.channelKind).addressCarriesAcrossChannels
    ? await findContactIdByAddress(trx, input.workspaceId, input.channelKind, input.address)
    : undefined;
  const contactId = sibling ?? (await insertContact(trx, input.workspaceId, input.contactName ?? input.displayName ?? input.username ?? null, now)).id;
  const inserted = await insertIdentity(trx, contactId, input, now);
  if (inserted) {
    await sql`release savepoint new_identity`.execute(trx);
    return { identityId: inserted.id, contactId: inserted.contact_id, created: true };
  }
  await sql`rollback to savepoint new_identity`.execute(trx);
  await sql`release savepoint new_identity`.execute(trx);
  const winner = await findIdentityKeepingProfile(trx, input);
  if (!winner) throw new Error(`identity for ${input.channelId} vanished during resolution`);
  return { identityId: winner.id, contactId: winner.contact_id, created: false };
}
