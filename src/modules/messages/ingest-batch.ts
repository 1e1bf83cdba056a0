// Customer messages stored a batch at a time: what ingestInbound does for one message, done for the plain
// messages of a batch of deliveries in one transaction, with one statement per step instead of a round
// trip per step per message. The steps: drop those already stored -> resolve identities (new contacts and
// identities inserted together) -> lock the pairs' active tickets in one order -> update those tickets and
// open the missing ones -> insert the messages -> record the events -> number the new tickets with one
// range, last. Anything more than a plain message (mail threading, files, a BSUID still to link, a blocked
// sender, a comment rule, a second message of the same customer) is left to ingestInbound, one at a
// time; so is the whole batch when a concurrent transaction got in its way. Either way each message ends
// exactly as it would have one at a time.
import type { Kysely } from 'kysely';
import type { InboundMessage } from '../../channels/types.js';
import { channelRules } from '../../channels/registry.js';
import { isLockConflict } from '../../db/errors.js';
import type { Database } from '../../db/schema.js';
import { threadCustomerMessage } from '../../domain/threading.js';
import { appendTimelines, publishRealtime, type RealtimeEntry, type TimelineEntry } from '../../events/event.repo.js';
import type { ChannelHome } from '../channel-homes.js';
import { contactsByAddress, identitiesByAddress, insertContacts, insertIdentities } from '../contacts/identity-batch.repo.js';
import type { Deps } from '../deps.js';
import { lockActiveTickets, openTickets, touchTicketsForCustomerMessages, type PairTicket, type TicketTouch } from '../tickets/ticket-batch.repo.js';
import { previewOf } from '../tickets/ticket-activity.js';
import { numberTickets, reopensOnCustomerMessage } from '../workspaces/workspace.repo.js';
import { addressOf, customerTicketDraft, inboundMessageRow, ingestEvents, type IngestResult } from './ingest-inbound.js';
import { insertMessages, messagesByProviderId } from './message.repo.js';

/** One message of the batch, where it is going. */
interface Candidate {
  index: number;
  message: InboundMessage;
  home: ChannelHome;
  address: string;
}

type Resolved = Candidate & { contactId: string };

/** Thrown inside the unit when a concurrent transaction changed what the batch read: it rolls back. */
class BatchConflict extends Error {}

/**
 * Stores the plain messages among `messages` together; the answer holds each one's result by position,
 * undefined for those left to ingestInbound (the caller stores them one at a time, in order, after this).
 * Resolves once the batch is durable.
 */
export async function ingestBatch(deps: Pick<Deps, 'store' | 'clock' | 'channelHomes'>, messages: InboundMessage[]): Promise<(IngestResult | undefined)[]> {
  const results: (IngestResult | undefined)[] = messages.map(() => undefined);
  const candidates = await batchCandidates(deps, messages);
  if (candidates.length === 0) return results;
  try {
    const applied = await deps.store.unit((trx) => applyBatch(trx, candidates, deps.clock.now()));
    for (const [index, result] of applied) results[index] = result;
  } catch (error) {
    if (!(error instanceof BatchConflict) && !isLockConflict(error)) throw error;
  }
  return results;
}

/**
 * A plain customer message: no mail threading or conversation to decide, no files to fetch, no
 * participants, not automated, not a comment its rules record only. Everything else is ingestInbound's.
 */
export function isPlainMessage(message: InboundMessage): boolean {
  return (
    !message.threadCandidates?.length &&
    !message.conversation &&
    !message.recordOnly &&
    !message.automated &&
    !message.attachments?.length &&
    !message.participants?.length
  );
}

/** The plain messages with a usable address, the first of each sender and of each provider id only. */
async function batchCandidates(deps: Pick<Deps, 'store' | 'channelHomes'>, messages: InboundMessage[]): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (const [index, message] of messages.entries()) {
    if (!isPlainMessage(message)) continue;
    const home = await deps.channelHomes.get(deps.store.db, message.channelId);
    const address = home ? addressOf(home.kind, message.contact) : null;
    if (!home || !address) continue;
    const sender = `${message.channelId}\n${message.contact.userId ?? address}`;
    const delivery = `${message.channelId}\n${message.providerMessageId}`;
    if (seen.has(sender) || seen.has(delivery)) continue;
    seen.add(sender).add(delivery);
    candidates.push({ index, message, home, address });
  }
  return candidates;
}

async function applyBatch(trx: Kysely<Database>, candidates: Candidate[], now: number): Promise<Map<number, IngestResult>> {
  const results = new Map<number, IngestResult>();
  const fresh = await withoutStored(trx, candidates, results);
  const resolved = onePerPair(await resolveIdentities(trx, fresh, now));
  const stored = await threadIntoTickets(trx, resolved, now);
  for (const [index, result] of stored) results.set(index, result);
  return results;
}

/** Those not stored yet; a message already stored is a duplicate delivery, answered with its ticket. */
async function withoutStored(trx: Kysely<Database>, candidates: Candidate[], results: Map<number, IngestResult>): Promise<Candidate[]> {
  const fresh: Candidate[] = [];
  for (const [channelId, group] of groupBy(candidates, (c) => c.message.channelId)) {
    const stored = await messagesByProviderId(trx, channelId, group.map((c) => c.message.providerMessageId));
    for (const candidate of group) {
      const message = stored.get(candidate.message.providerMessageId);
      if (message) results.set(candidate.index, { outcome: 'duplicate', ticketId: message.ticket_id, messageId: message.id });
      else fresh.push(candidate);
    }
  }
  return fresh;
}

/**
 * Each sender's contact: known identities as they are (a changed profile name written), new ones inserted
 * with their contacts (or a sibling channel's contact of the same phone or email). Left out: blocked
 * senders, and WhatsApp keys (BSUIDs) not yet linked to the identity of the address.
 */
async function resolveIdentities(trx: Kysely<Database>, candidates: Candidate[], now: number): Promise<Resolved[]> {
  const resolved: Resolved[] = [];
  const unknown: Candidate[] = [];
  for (const [channelId, group] of groupBy(candidates, (c) => c.message.channelId)) {
    const known = await identitiesByAddress(trx, channelId, group.map((c) => c.address));
    for (const candidate of group) {
      const identity = known.get(candidate.address);
      const { contact } = candidate.message;
      if (!identity) {
        if (!contact.userId && !contact.parentUserId) unknown.push(candidate);
        continue;
      }
      if (identity.blocked_at !== null) continue;
      if ((contact.userId && contact.userId !== identity.user_id) || (contact.parentUserId && contact.parentUserId !== identity.parent_user_id)) continue;
      const displayName = contact.displayName || identity.display_name;
      const username = contact.username || identity.username;
      if (displayName !== identity.display_name || username !== identity.username) {
        await trx.updateTable('contact_identities').set({ display_name: displayName, username }).where('id', '=', identity.id).execute();
      }
      resolved.push({ ...candidate, contactId: identity.contact_id });
    }
  }
  return [...resolved, ...(await insertNewIdentities(trx, unknown, now))];
}

async function insertNewIdentities(trx: Kysely<Database>, candidates: Candidate[], now: number): Promise<Resolved[]> {
  const resolved: Resolved[] = [];
  for (const [, group] of groupBy(candidates, (c) => `${c.home.workspaceId}\n${c.home.kind}`)) {
    const { workspaceId, kind } = group[0]!.home;
    const siblings = channelRules(kind).addressCarriesAcrossChannels ? await contactsByAddress(trx, workspaceId, kind, group.map((c) => c.address)) : new Map<string, string>();
    const needContact = group.filter((c) => !siblings.has(c.address));
    const contactIds = await insertContacts(trx, workspaceId, needContact.map((c) => c.message.contact.displayName ?? c.message.contact.username ?? null), now);
    const newContacts = new Map(needContact.map((c, i) => [c, contactIds[i]!]));
    // In one order of addresses, so that two batches adding the same ones wait for each other instead of deadlocking.
    const ordered = [...group].sort((a, b) => compare(`${a.message.channelId}\n${a.address}`, `${b.message.channelId}\n${b.address}`));
    const inserted = await insertIdentities(
      trx,
      ordered.map((c) => ({
        contactId: siblings.get(c.address) ?? newContacts.get(c)!,
        input: { workspaceId, channelId: c.message.channelId, channelKind: kind, address: c.address, displayName: c.message.contact.displayName, username: c.message.contact.username },
      })),
      now,
    );
    // Another transaction added one of these addresses first: the batch starts over one message at a time.
    if (inserted.size !== ordered.length) throw new BatchConflict('an identity of the batch was added meanwhile');
    for (const candidate of group) resolved.push({ ...candidate, contactId: inserted.get(candidate.address)!.contact_id });
  }
  return resolved;
}

/** Two addresses can be one contact (merged): the pair's second message waits for ingestInbound. */
function onePerPair(resolved: Resolved[]): Resolved[] {
  const seen = new Set<string>();
  return resolved.filter((r) => {
    const pair = `${r.message.channelId}\n${r.contactId}`;
    if (seen.has(pair)) return false;
    seen.add(pair);
    return true;
  });
}

/** A message with the ticket it goes into, and what that did to the ticket. */
interface Threaded {
  r: Resolved;
  ticket: { id: string; workspace_id: string; number: number | null; status: PairTicket['status'] };
  created: boolean;
  statusFrom: PairTicket['status'] | null;
  previousTicketId: string | null;
}

/**
 * Each message into its pair's active ticket (woken when the workspace asks) or a new one, then the
 * messages, the events and the new tickets' numbers. A ticket changed or opened meanwhile by another
 * transaction, or a message stored meanwhile, rolls the batch back (BatchConflict).
 */
async function threadIntoTickets(trx: Kysely<Database>, resolved: Resolved[], now: number): Promise<Map<number, IngestResult>> {
  if (resolved.length === 0) return new Map();
  const active = await lockActiveTicketsOf(trx, resolved);
  const touched = await touchActiveTickets(trx, resolved, active, now);
  const opened = await openMissingTickets(trx, resolved.filter((r) => !active.has(r)), now);
  // In one order of provider ids, so that two batches storing the same message wait for each other instead of deadlocking.
  const threaded = [...touched, ...opened].sort((a, b) => compare(`${a.r.message.channelId}\n${a.r.message.providerMessageId}`, `${b.r.message.channelId}\n${b.r.message.providerMessageId}`));
  const rows = threaded.map((t) => inboundMessageRow(t.ticket, t.r.message, now));
  if ((await insertMessages(trx, rows)).size !== rows.length) throw new BatchConflict('a message of the batch was stored meanwhile');
  await recordEvents(trx, threaded, rows, now);
  const numbers = await numberNewTickets(trx, threaded);
  return new Map(
    threaded.map((t, i) => [t.r.index, { outcome: 'stored', ticketId: t.ticket.id, ticketNumber: numbers.get(t.ticket.id) ?? t.ticket.number!, ticketCreated: t.created, messageId: rows[i]!.id }]),
  );
}

/** The pairs' active tickets, locked channel by channel in one order, by message. */
async function lockActiveTicketsOf(trx: Kysely<Database>, resolved: Resolved[]): Promise<Map<Resolved, PairTicket>> {
  const active = new Map<Resolved, PairTicket>();
  for (const [channelId, group] of [...groupBy(resolved, (r) => r.message.channelId)].sort(([a], [b]) => compare(a, b))) {
    const tickets = await lockActiveTickets(trx, channelId, group.map((r) => r.contactId));
    for (const r of group) {
      const ticket = tickets.get(r.contactId);
      if (ticket) active.set(r, ticket);
    }
  }
  return active;
}

/** Records each message on its pair's active ticket, woken as threadCustomerMessage decides. */
async function touchActiveTickets(trx: Kysely<Database>, resolved: Resolved[], active: Map<Resolved, PairTicket>, now: number): Promise<Threaded[]> {
  const reopens = await reopenSettings(trx, [...active.values()]);
  const threaded: Threaded[] = [];
  const touches: TicketTouch[] = [];
  for (const r of resolved) {
    const ticket = active.get(r);
    if (!ticket) continue;
    const decision = threadCustomerMessage(ticket, reopens.get(ticket.workspace_id) ?? true);
    if (decision.action !== 'append') throw new Error('an active ticket must take the message');
    touches.push({ ticketId: ticket.id, from: decision.from, to: decision.to, sentAt: windowSentAt(r.message), preview: previewOf(r.message.body, `[${r.message.kind}]`) });
    threaded.push({ r, ticket: { ...ticket, status: decision.to }, created: false, statusFrom: decision.from, previousTicketId: null });
  }
  if ((await touchTicketsForCustomerMessages(trx, touches, now)).size !== touches.length) throw new BatchConflict('a ticket of the batch changed meanwhile');
  return threaded;
}

/** A new ticket for each of these pairs, in one order of pairs (batches opening the same ones wait for each other). */
async function openMissingTickets(trx: Kysely<Database>, opening: Resolved[], now: number): Promise<Threaded[]> {
  const ordered = [...opening].sort((a, b) => compare(`${a.message.channelId}\n${a.contactId}`, `${b.message.channelId}\n${b.contactId}`));
  const opened = await openTickets(
    trx,
    ordered.map((r) => ({
      pair: { workspaceId: r.home.workspaceId, channelId: r.message.channelId, contactId: r.contactId },
      draft: customerTicketDraft(r.message, { now, windowSentAt: windowSentAt(r.message), preview: previewOf(r.message.body, `[${r.message.kind}]`), previousTicketId: null }),
    })),
    now,
  );
  if (opened.length !== ordered.length) throw new BatchConflict('a ticket of the batch was opened meanwhile');
  const byPair = new Map(opened.map((ticket) => [`${ticket.channel_id}\n${ticket.contact_id}`, ticket]));
  return ordered.map((r) => {
    const ticket = byPair.get(`${r.message.channelId}\n${r.contactId}`)!;
    return { r, ticket, created: true, statusFrom: null, previousTicketId: ticket.previous_ticket_id };
  });
}

/** The timeline and realtime events of every message, as ingestInbound records them for one. */
async function recordEvents(trx: Kysely<Database>, threaded: Threaded[], rows: { id: string }[], now: number): Promise<void> {
  const timeline: Parameters<typeof appendTimelines>[1] = [];
  const realtime = new Map<string, RealtimeEntry[]>();
  threaded.forEach((t, i) => {
    const events = ingestEvents({ ...t, ticket: { ...t.ticket, number: t.ticket.number ?? 0 } }, rows[i]!.id);
    timeline.push(...events.timeline.map((entry: TimelineEntry) => ({ ticket: t.ticket, actor: { kind: 'customer' as const }, entry })));
    realtime.set(t.ticket.workspace_id, [...(realtime.get(t.ticket.workspace_id) ?? []), ...events.realtime]);
  });
  await appendTimelines(trx, timeline, now);
  for (const [workspaceId, entries] of realtime) await publishRealtime(trx, workspaceId, entries, now);
}

/**
 * The new tickets' numbers, numbered in the order their messages came (as one at a time would), a range
 * per workspace. Last: from here to the commit each workspace's counter is locked.
 */
async function numberNewTickets(trx: Kysely<Database>, threaded: Threaded[]): Promise<Map<string, number>> {
  const numbers = new Map<string, number>();
  const created = threaded.filter((t) => t.created).sort((a, b) => a.r.index - b.r.index);
  for (const [workspaceId, group] of groupBy(created, (t) => t.ticket.workspace_id)) {
    for (const [id, number] of await numberTickets(trx, workspaceId, group.map((t) => t.ticket.id))) numbers.set(id, number);
  }
  return numbers;
}

/** Whether each workspace wakes a pending or resolved ticket on a customer's message; read only for workspaces that have one. */
async function reopenSettings(trx: Kysely<Database>, tickets: PairTicket[]): Promise<Map<string, boolean>> {
  const settings = new Map<string, boolean>();
  for (const ticket of tickets) {
    if ((ticket.status === 'pending' || ticket.status === 'resolved') && !settings.has(ticket.workspace_id)) settings.set(ticket.workspace_id, await reopensOnCustomerMessage(trx, ticket.workspace_id));
  }
  return settings;
}

/** The customer's provider time anchors the reply window only for messages that open one. */
function windowSentAt(message: InboundMessage): number | null {
  return message.opensReplyWindow === false ? null : message.sentAt;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
