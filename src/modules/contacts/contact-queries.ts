// Reading contacts: the search "+ New" uses, and one contact with its identities, windows and tickets.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { notFound } from '../../domain/errors.js';
import { windowForOrigin, type MessageOrigin, type ReplyWindow } from '../../domain/reply-policy.js';
import { findChannel } from '../channels/channel.repo.js';
import { pairWindow } from './reply-window.js';
import { contactTags, findContact } from './contact.repo.js';

export interface ContactSummary {
  id: string;
  name: string | null;
  identities: { id: string; channelId: string; channelKind: string; address: string; displayName: string | null; username: string | null; blockedAt: number | null }[];
}

// Wildcards typed by the user are dropped, so both engines match the same way without an ESCAPE clause.
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, '')}%`;

/** Contacts of the workspace whose name, address (phone, email, Instagram id) or handle contains the text. */
export async function searchContacts(db: Kysely<Database>, workspaceId: string, text: string, limit: number): Promise<ContactSummary[]> {
  const needle = text.trim().toLowerCase();
  const digits = needle.replace(/\D/g, '');
  const ids = await db
    .selectFrom('contacts')
    .leftJoin('contact_identities', 'contact_identities.contact_id', 'contacts.id')
    .select('contacts.id')
    .distinct()
    .where('contacts.workspace_id', '=', workspaceId)
    .where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['contacts.name']), 'like', likePattern(needle)),
        eb('contact_identities.address', 'like', likePattern(needle)),
        eb(eb.fn('lower', ['contact_identities.username']), 'like', likePattern(needle.replace(/^@/, ''))),
        eb(eb.fn('lower', ['contact_identities.display_name']), 'like', likePattern(needle)),
        ...(digits.length >= 3 ? [eb('contact_identities.address', 'like', likePattern(digits))] : []),
      ]),
    )
    .limit(limit)
    .execute();
  return summaries(db, ids.map((r) => r.id));
}

async function summaries(db: Kysely<Database>, ids: string[]): Promise<ContactSummary[]> {
  if (ids.length === 0) return [];
  const [contacts, identities] = await Promise.all([
    db.selectFrom('contacts').select(['id', 'name']).where('id', 'in', ids).orderBy('name').execute(),
    db.selectFrom('contact_identities').selectAll().where('contact_id', 'in', ids).orderBy('created_at').execute(),
  ]);
  return contacts.map((c) => ({
    id: c.id,
    name: c.name,
    identities: identities
      .filter((i) => i.contact_id === c.id)
      .map((i) => ({ id: i.id, channelId: i.channel_id, channelKind: i.channel_kind, address: i.address, displayName: i.display_name, username: i.username, blockedAt: i.blocked_at === null ? null : Number(i.blocked_at) })),
  }));
}

/**
 * One contact with its identities (each with its channel's reply window now and whether it is blocked),
 * tags, the channels it is blocked on, its own timeline (blocked, unblocked) and tickets.
 */
export async function getContactDetail(db: Kysely<Database>, workspaceId: string, contactId: string, now: number) {
  const contact = await findContact(db, workspaceId, contactId);
  if (!contact) throw notFound('The contact');
  const [summary] = await summaries(db, [contact.id]);
  const identities = await Promise.all(
    (summary?.identities ?? []).map(async (identity) => {
      const channel = await findChannel(db, identity.channelId);
      return { ...identity, window: channel ? (await pairWindow(db, channel, contact.id, now)).window : null };
    }),
  );
  const tickets = await db
    .selectFrom('tickets')
    .select(['id', 'number', 'status', 'channel_id', 'last_activity_at', 'created_at'])
    .where('contact_id', '=', contact.id)
    .orderBy('created_at', 'desc')
    .execute();
  const events = await db
    .selectFrom('contact_events')
    .select(['id', 'type', 'actor_kind', 'actor_user_id', 'data', 'created_at'])
    .where('contact_id', '=', contact.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  // A channel is blocked for the contact when any of its addresses there is.
  const blockedChannelIds = [...new Set(identities.filter((i) => i.blockedAt !== null).map((i) => i.channelId))];
  return {
    contact: { id: contact.id, name: contact.name, tags: await contactTags(db, contact.id), createdAt: contact.created_at, blockedChannelIds },
    identities,
    timeline: events.map((e) => ({ id: e.id, type: e.type, actorKind: e.actor_kind, actorUserId: e.actor_user_id, data: JSON.parse(e.data) as Record<string, unknown>, createdAt: Number(e.created_at) })),
    tickets: tickets.map((t) => ({ id: t.id, number: t.number, status: t.status, channelId: t.channel_id, lastActivityAt: t.last_activity_at, createdAt: t.created_at })),
  };
}

/** The pre-flight: what this sender (a person, or an automation) may send to this contact on this channel right now, and why not. */
export async function replyWindowFor(db: Kysely<Database>, workspaceId: string, channelId: string, contactId: string, origin: MessageOrigin, now: number): Promise<ReplyWindow> {
  const [channel, contact] = await Promise.all([findChannel(db, channelId), findContact(db, workspaceId, contactId)]);
  if (!channel || channel.workspace_id !== workspaceId) throw notFound('The channel');
  if (!contact) throw notFound('The contact');
  return windowForOrigin((await pairWindow(db, channel, contact.id, now)).window, origin);
}
