// Finding (or creating) the contact behind an address on a channel, safely under concurrency.
import { sql, type Kysely } from 'kysely';
import { channelRules } from '../../channels/registry.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database, IdentityRow } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { findContactIdByAddress, findIdentityKeepingProfile, insertContact, insertIdentity, phoneOf, type IdentityInput } from './contact.repo.js';
import { mergeContactsInTransaction } from './merge-contacts.js';

export interface ResolvedIdentity {
  identityId: string;
  contactId: string;
  created: boolean;
  /** An agent blocked this address on its channel: its messages open no ticket. */
  blocked: boolean;
}

// Each retry means a concurrent transaction added one of the keys first; a handful is plenty.
const MAX_KEY_ATTEMPTS = 4;

/**
 * The identity for an address on a channel, created with its contact when new. A new address reuses
 * the contact already known by the same phone number or email on a sibling channel. Two transactions
 * racing on the same new address end with one identity: the loser rolls back its contact and reads
 * the winner's. A WhatsApp message carrying a BSUID is matched on any of its keys (see resolveByKeys).
 */
export async function resolveIdentity(trx: Kysely<Database>, input: IdentityInput, now: number): Promise<ResolvedIdentity> {
  if (input.userId || input.parentUserId) return resolveByKeys(trx, input, now);
  const known = await findIdentityKeepingProfile(trx, input);
  if (known) return { identityId: known.id, contactId: known.contact_id, created: false, blocked: known.blocked_at !== null };
  const created = await insertNewIdentity(trx, input, now);
  if (created) return created;
  const winner = await findIdentityKeepingProfile(trx, input);
  if (!winner) throw new Error(`identity for ${input.channelId} vanished during resolution`);
  return { identityId: winner.id, contactId: winner.contact_id, created: false, blocked: winner.blocked_at !== null };
}

/** A new identity with its contact (or a sibling channel's contact of the phone); undefined when another transaction took one of its keys first. */
async function insertNewIdentity(trx: Kysely<Database>, input: IdentityInput, now: number): Promise<ResolvedIdentity | undefined> {
  await sql`savepoint new_identity`.execute(trx);
  // A BSUID is scoped to one business: only a phone number (or email) reaches a sibling channel's contact.
  const carries = channelRules(input.channelKind).addressCarriesAcrossChannels && (input.channelKind !== 'whatsapp' || phoneOf(input) !== null);
  const sibling = carries ? await findContactIdByAddress(trx, input.workspaceId, input.channelKind, input.address) : undefined;
  const contactId = sibling ?? (await insertContact(trx, input.workspaceId, input.contactName ?? input.displayName ?? input.username ?? null, now)).id;
  const inserted = await insertIdentity(trx, contactId, input, now);
  if (inserted) {
    await sql`release savepoint new_identity`.execute(trx);
    return { identityId: inserted.id, contactId: inserted.contact_id, created: true, blocked: false };
  }
  await sql`rollback to savepoint new_identity`.execute(trx);
  await sql`release savepoint new_identity`.execute(trx);
  return undefined;
}

type KeyedIdentity = Pick<IdentityRow, 'id' | 'contact_id' | 'address' | 'wa_id' | 'user_id' | 'parent_user_id' | 'display_name' | 'username' | 'blocked_at' | 'blocked_by_user_id'>;

/**
 * A WhatsApp customer known by phone, BSUID (`user_id`) or parent BSUID, on this channel only: the
 * identity holding any of the message's keys takes the others, so a later message carrying phone and
 * BSUID links them to one identity and sends go to the phone from then on. When the phone and the BSUID
 * are already on two identities, they become one: the BSUID's identity is folded into the phone's, and
 * its contact merged into the phone's contact (tickets, tags, addresses, with a `contact.merged` timeline
 * event). That merge is skipped when both contacts have an active ticket on one channel (a contact has
 * at most one): the message then goes to the phone's identity and the two contacts stay apart for an
 * agent to merge once one ticket is closed. The username is kept and searchable, never matched: it can
 * change hands.
 */
async function resolveByKeys(trx: Kysely<Database>, input: IdentityInput, now: number): Promise<ResolvedIdentity> {
  const phone = phoneOf(input);
  for (let attempt = 1; attempt <= MAX_KEY_ATTEMPTS; attempt++) {
    const rows: KeyedIdentity[] = await trx
      .selectFrom('contact_identities')
      .select(['id', 'contact_id', 'address', 'wa_id', 'user_id', 'parent_user_id', 'display_name', 'username', 'blocked_at', 'blocked_by_user_id'])
      .where('channel_id', '=', input.channelId)
      .where((eb) =>
        eb.or([
          ...(phone ? [eb('address', '=', phone)] : []),
          ...(input.userId ? [eb('user_id', '=', input.userId)] : []),
          ...(input.parentUserId ? [eb('parent_user_id', '=', input.parentUserId)] : []),
        ]),
      )
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const byPhone = phone ? rows.find((r) => r.address === phone) : undefined;
    const byUser = rows.find((r) => input.userId && r.user_id === input.userId) ?? rows.find((r) => input.parentUserId && r.parent_user_id === input.parentUserId);
    const kept = byPhone ?? byUser;
    const resolved = kept ? await takeKeys(trx, input, phone, kept, byUser && byUser.id !== kept.id ? byUser : undefined, now) : await insertNewIdentity(trx, input, now);
    if (resolved) return resolved;
  }
  throw new Error(`the WhatsApp keys of a customer on ${input.channelId} kept changing during resolution`);
}

/** Gives `kept` the message's keys and profile, folding `other` (the BSUID's identity) into it; undefined when a concurrent transaction took a key first. */
async function takeKeys(trx: Kysely<Database>, input: IdentityInput, phone: string | null, kept: KeyedIdentity, other: KeyedIdentity | undefined, now: number): Promise<ResolvedIdentity | undefined> {
  const next = {
    address: phone ?? kept.address,
    wa_id: phone ?? kept.wa_id,
    user_id: input.userId ?? kept.user_id ?? other?.user_id ?? null,
    parent_user_id: input.parentUserId ?? kept.parent_user_id ?? other?.parent_user_id ?? null,
    display_name: input.displayName || kept.display_name,
    username: input.username || kept.username || other?.username || null,
    // A block on either identity stays on the one they become.
    blocked_at: kept.blocked_at ?? other?.blocked_at ?? null,
    blocked_by_user_id: kept.blocked_at !== null ? kept.blocked_by_user_id : (other?.blocked_by_user_id ?? null),
  };
  const changed = (Object.keys(next) as (keyof typeof next)[]).some((key) => next[key] !== kept[key]);
  const resolved = { identityId: kept.id, contactId: kept.contact_id, created: false, blocked: next.blocked_at !== null };
  if (!changed && !other) return resolved;
  await sql`savepoint link_identity`.execute(trx);
  try {
    if (other) {
      if (other.contact_id !== kept.contact_id && !(await joinContacts(trx, input.workspaceId, kept.contact_id, other.contact_id, now))) {
        // Both contacts have an active ticket on one channel: they stay apart; only the profile is kept up to date.
        await sql`rollback to savepoint link_identity`.execute(trx);
        await sql`release savepoint link_identity`.execute(trx);
        if (input.displayName && input.displayName !== kept.display_name) await trx.updateTable('contact_identities').set({ display_name: input.displayName }).where('id', '=', kept.id).execute();
        return resolved;
      }
      await trx.deleteFrom('contact_identities').where('id', '=', other.id).execute();
    }
    if (changed) await trx.updateTable('contact_identities').set(next).where('id', '=', kept.id).execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await sql`rollback to savepoint link_identity`.execute(trx);
    await sql`release savepoint link_identity`.execute(trx);
    return undefined;
  }
  await sql`release savepoint link_identity`.execute(trx);
  return resolved;
}

/** Merges the BSUID's contact into the phone's; false when both have an active ticket on one channel. */
async function joinContacts(trx: Kysely<Database>, workspaceId: string, keepId: string, duplicateId: string, now: number): Promise<boolean> {
  try {
    await mergeContactsInTransaction(trx, workspaceId, keepId, duplicateId, { kind: 'system' }, now);
    return true;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'MERGE_ACTIVE_TICKETS_CONFLICT') return false;
    throw error;
  }
}
