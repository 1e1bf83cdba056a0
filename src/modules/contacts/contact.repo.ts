// Contacts and their identities per channel (the address there and the name the provider gave).
import type { Kysely } from 'kysely';
import type { ChannelKind } from '../../domain/reply-policy.js';
import type { ContactRow, Database, IdentityRow } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import { param, PreparedQuery } from '../../db/prepared.js';

export interface IdentityInput {
  workspaceId: string;
  channelId: string;
  channelKind: ChannelKind;
  /** Already normalized by the channel's rules. */
  address: string;
  displayName?: string | null;
  username?: string | null;
  /** The name a new contact gets (an agent's "+ New"); defaults to the provider's display name. */
  contactName?: string | null;
  /**
   * WhatsApp: the customer's BSUID and parent BSUID. When `address` equals `userId` the phone is unknown
   * (a username-only customer); otherwise `address` is the phone.
   */
  userId?: string | null;
  parentUserId?: string | null;
}

/** The phone of a WhatsApp identity input, or null when only its BSUID is known (and for other kinds). */
export function phoneOf(input: Pick<IdentityInput, 'channelKind' | 'address' | 'userId'>): string | null {
  return input.channelKind === 'whatsapp' && input.address !== input.userId ? input.address : null;
}

export async function insertContact(db: Kysely<Database>, workspaceId: string, name: string | null, now: number): Promise<ContactRow> {
  return db
    .insertInto('contacts')
    .values({ id: newId(), workspace_id: workspaceId, name, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findContact(db: Kysely<Database>, workspaceId: string, contactId: string): Promise<ContactRow | undefined> {
  return db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
}

export async function findContactIdentity(db: Kysely<Database>, contactId: string, channelId: string): Promise<IdentityRow | undefined> {
  return db.selectFrom('contact_identities').selectAll().where('contact_id', '=', contactId).where('channel_id', '=', channelId).executeTakeFirst();
}

/**
 * Any address of the contact on a channel of the given kind (a phone number or email reaches every such
 * channel; a WhatsApp BSUID does not: it belongs to its channel's business).
 */
export async function findAddressOfKind(db: Kysely<Database>, contactId: string, kind: ChannelKind): Promise<string | undefined> {
  const row = await db
    .selectFrom('contact_identities')
    .select('address')
    .where('contact_id', '=', contactId)
    .where('channel_kind', '=', kind)
    .where((eb) => eb.or([eb('user_id', 'is', null), eb('address', '<>', eb.ref('user_id'))]))
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row?.address;
}

/** A contact elsewhere in the workspace known by this address on a channel of the same kind. */
export async function findContactIdByAddress(db: Kysely<Database>, workspaceId: string, kind: ChannelKind, address: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('contact_identities')
    .select('contact_id')
    .where('workspace_id', '=', workspaceId)
    .where('channel_kind', '=', kind)
    .where('address', '=', address)
    .orderBy('created_at', 'asc')
    .executeTakeFirst();
  return row?.contact_id;
}

const identityByAddressQuery = new PreparedQuery<{ channelId: string; address: string }, Pick<IdentityRow, 'id' | 'contact_id' | 'display_name' | 'username' | 'blocked_at'>>((db) =>
  db
    .selectFrom('contact_identities')
    .select(['id', 'contact_id', 'display_name', 'username', 'blocked_at'])
    .where('channel_id', '=', param('channelId'))
    .where('address', '=', param('address')),
);

/**
 * The identity of an address on a channel, keeping the name the provider sends up to date. It writes
 * only when the name changed: ingest reads identities far more often than names change.
 */
export async function findIdentityKeepingProfile(trx: Kysely<Database>, input: IdentityInput): Promise<{ id: string; contact_id: string; blocked_at: number | null } | undefined> {
  const identity = await identityByAddressQuery.executeTakeFirst(trx, { channelId: input.channelId, address: input.address });
  if (!identity) return undefined;
  const displayName = input.displayName || identity.display_name;
  const username = input.username || identity.username;
  if (displayName !== identity.display_name || username !== identity.username) {
    await trx.updateTable('contact_identities').set({ display_name: displayName, username }).where('id', '=', identity.id).execute();
  }
  return identity;
}

/** Adds an identity to a contact; undefined when another transaction added the same address first. */
export async function insertIdentity(
  trx: Kysely<Database>,
  contactId: string,
  input: IdentityInput,
  now: number,
): Promise<{ id: string; contact_id: string } | undefined> {
  return trx.insertInto('contact_identities').values(newIdentityRow(contactId, input, now)).onConflict((oc) => oc.doNothing()).returning(['id', 'contact_id']).executeTakeFirst();
}

/** The row of a new identity of a contact: the address and, for WhatsApp, its phone and BSUIDs apart. */
export function newIdentityRow(contactId: string, input: IdentityInput, now: number) {
  return {
    id: newId(),
    workspace_id: input.workspaceId,
    contact_id: contactId,
    channel_id: input.channelId,
    channel_kind: input.channelKind,
    address: input.address,
    display_name: input.displayName ?? null,
    username: input.username ?? null,
    wa_id: phoneOf(input),
    user_id: input.userId ?? null,
    parent_user_id: input.parentUserId ?? null,
    created_at: now,
  };
}

export async function contactTags(db: Kysely<Database>, contactId: string): Promise<string[]> {
  const rows = await db.selectFrom('contact_tags').select('tag').where('contact_id', '=', contactId).orderBy('tag').execute();
  return rows.map((r) => r.tag);
}

export async function replaceContactTags(trx: Kysely<Database>, workspaceId: string, contactId: string, tags: string[]): Promise<void> {
  await trx.deleteFrom('contact_tags').where('contact_id', '=', contactId).execute();
  if (tags.length) await trx.insertInto('contact_tags').values(tags.map((tag) => ({ workspace_id: workspaceId, contact_id: contactId, tag }))).execute();
}

/** Locks a contact row until the transaction ends, so concurrent edits of its tags queue up. */
export async function lockContact(trx: Kysely<Database>, workspaceId: string, contactId: string, now: number): Promise<boolean> {
  const result = await trx.updateTable('contacts').set({ updated_at: now }).where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Which of these addresses on a channel already have a username (a profile looked up or given). */
export async function addressesWithUsername(db: Kysely<Database>, channelId: string, addresses: string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const rows = await db.selectFrom('contact_identities').select('address').where('channel_id', '=', channelId).where('address', 'in', addresses).where('username', 'is not', null).execute();
  return new Set(rows.map((r) => r.address));
}

/** Whether an address on a channel belongs to an identity an agent blocked (checked before costly work, such as storing a mail's files). */
export async function isAddressBlocked(db: Kysely<Database>, channelId: string, address: string): Promise<boolean> {
  const row = await db.selectFrom('contact_identities').select('id').where('channel_id', '=', channelId).where('address', '=', address).where('blocked_at', 'is not', null).executeTakeFirst();
  return row !== undefined;
}
