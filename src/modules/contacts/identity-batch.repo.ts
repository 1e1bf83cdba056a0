// Identities and contacts read and written for a batch of customer messages: one statement per step,
// whatever the batch's size (modules/messages/ingest-batch.ts).
import type { Kysely } from 'kysely';
import type { Database, IdentityRow } from '../../db/schema.js';
import type { ChannelKind } from '../../domain/reply-policy.js';
import { newId } from '../../lib/ids.js';
import { newIdentityRow, type IdentityInput } from './contact.repo.js';

export type KnownIdentity = Pick<IdentityRow, 'id' | 'contact_id' | 'address' | 'display_name' | 'username' | 'user_id' | 'parent_user_id' | 'blocked_at'>;

/** The identities of these addresses on one channel, by address. */
export async function identitiesByAddress(db: Kysely<Database>, channelId: string, addresses: string[]): Promise<Map<string, KnownIdentity>> {
  const rows = await db
    .selectFrom('contact_identities')
    .select(['id', 'contact_id', 'address', 'display_name', 'username', 'user_id', 'parent_user_id', 'blocked_at'])
    .where('channel_id', '=', channelId)
    .where('address', 'in', addresses)
    .execute();
  return new Map(rows.map((row) => [row.address, row]));
}

/** The contact first known by each of these addresses on any channel of one kind (the sibling channels' contact), by address. */
export async function contactsByAddress(db: Kysely<Database>, workspaceId: string, kind: ChannelKind, addresses: string[]): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('contact_identities')
    .select(['address', 'contact_id'])
    .where('workspace_id', '=', workspaceId)
    .where('channel_kind', '=', kind)
    .where('address', 'in', addresses)
    .orderBy('created_at', 'desc')
    .execute();
  // Ordered newest first, so the oldest identity of an address is the one kept.
  return new Map(rows.map((row) => [row.address, row.contact_id]));
}

/** New contacts with these names, in order; their ids. */
export async function insertContacts(trx: Kysely<Database>, workspaceId: string, names: (string | null)[], now: number): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = names.map((name) => ({ id: newId(), workspace_id: workspaceId, name, created_at: now, updated_at: now }));
  await trx.insertInto('contacts').values(rows).execute();
  return rows.map((row) => row.id);
}

/**
 * New identities; the addresses another transaction added first are skipped (the unique index of an
 * address per channel), and the answer holds only those inserted, by address.
 */
export async function insertIdentities(trx: Kysely<Database>, identities: { contactId: string; input: IdentityInput }[], now: number): Promise<Map<string, { id: string; contact_id: string }>> {
  if (identities.length === 0) return new Map();
  const rows = await trx
    .insertInto('contact_identities')
    .values(identities.map(({ contactId, input }) => newIdentityRow(contactId, input, now)))
    .onConflict((oc) => oc.doNothing())
    .returning(['id', 'contact_id', 'address'])
    .execute();
  return new Map(rows.map((row) => [row.address, { id: row.id, contact_id: row.contact_id }]));
}
