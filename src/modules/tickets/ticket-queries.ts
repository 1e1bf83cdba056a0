// Reading tickets for the inbox: filtered lists with stable cursor pagination, and one ticket in full.
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database, TicketRow } from '../../db/schema.js';
import { containsText } from '../../db/text-match.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { TicketStatus } from '../../domain/ticket-status.js';
import { fromJson } from '../../lib/json.js';

export interface TicketFilters {
  status?: TicketStatus[];
  channelId?: string;
  /** `me`, `unassigned`, `anyone` (default) or a user id. */
  assignee?: string;
  createdBy?: 'customer' | 'agent';
  tag?: string;
  /** Ticket number (`#123` or `123`), contact name or address, subject, tag, or the text of any message. */
  q?: string;
}

export interface TicketView {
  id: string;
  number: number;
  status: TicketStatus;
  priority: string;
  subject: string | null;
  channelId: string;
  contact: { id: string; name: string | null };
  createdBy: 'customer' | 'agent';
  creatorUserId: string | null;
  assigneeUserId: string | null;
  snoozedUntil: number | null;
  lastMessagePreview: string | null;
  lastMessageDirection: 'inbound' | 'outbound' | null;
  lastActivityAt: number;
  createdAt: number;
  closedAt: number | null;
  closedByUserId: string | null;
  closedByRuleId: string | null;
  closeReason: string | null;
  tags: string[];
  /** The closed ticket this one continues (the pair's previous ticket), or null for the pair's first. */
  previousTicket: PreviousTicket | null;
}

export interface PreviousTicket {
  id: string;
  number: number;
  /** When it was closed; null when it has been reopened since. */
  closedAt: number | null;
}

type Row = TicketRow & { contact_name: string | null };

function toView(row: Row, tags: string[], previous: Map<string, PreviousTicket>): TicketView {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    priority: row.priority,
    subject: row.subject,
    channelId: row.channel_id,
    contact: { id: row.contact_id, name: row.contact_name },
    createdBy: row.created_by,
    creatorUserId: row.creator_user_id,
    assigneeUserId: row.assignee_user_id,
    snoozedUntil: row.snoozed_until,
    lastMessagePreview: row.last_message_preview,
    lastMessageDirection: row.last_message_direction,
    lastActivityAt: row.last_activity_at,
    createdAt: row.created_at,
    closedAt: row.closed_at,
    closedByUserId: row.closed_by_user_id,
    closedByRuleId: row.closed_by_rule_id,
    closeReason: row.close_reason,
    tags,
    previousTicket: row.previous_ticket_id ? (previous.get(row.previous_ticket_id) ?? null) : null,
  };
}

/** An opaque cursor: the last row's activity time and id (ties broken by id, so pages never overlap). */
export function encodeCursor(row: { lastActivityAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([row.lastActivityAt, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isInteger(value[0]) && typeof value[1] === 'string') return [value[0], value[1]];
  } catch {
    // fall through to the refusal
  }
  throw new DomainError({ code: 'INVALID_CURSOR', message: 'The cursor is not one this API gave out; start again from the first page.', details: { field: 'cursor' } });
}

function ticketsWithContact(db: Kysely<Database>, workspaceId: string) {
  return db
    .selectFrom('tickets')
    .innerJoin('contacts', 'contacts.id', 'tickets.contact_id')
    .selectAll('tickets')
    .select('contacts.name as contact_name')
    .where('tickets.workspace_id', '=', workspaceId);
}

/** A page of the workspace's tickets, most recently active first. */
export async function listTickets(
  db: Kysely<Database>,
  /** `userId` is null for an integration: nothing is assigned to it. */
  caller: { workspaceId: string; userId: string | null },
  filters: TicketFilters,
  page: { cursor?: string; limit: number },
): Promise<{ tickets: TicketView[]; nextCursor: string | null }> {
  let query = ticketsWithContact(db, caller.workspaceId);
  if (filters.status?.length) query = query.where('tickets.status', 'in', filters.status);
  if (filters.channelId) query = query.where('tickets.channel_id', '=', filters.channelId);
  if (filters.createdBy) query = query.where('tickets.created_by', '=', filters.createdBy);
  if (filters.assignee === 'me') query = caller.userId === null ? query.where('tickets.id', 'is', null) : query.where('tickets.assignee_user_id', '=', caller.userId);
  else if (filters.assignee === 'unassigned') query = query.where('tickets.assignee_user_id', 'is', null);
  else if (filters.assignee && filters.assignee !== 'anyone') query = query.where('tickets.assignee_user_id', '=', filters.assignee);
  if (filters.tag) {
    const tag = filters.tag.trim().toLowerCase();
    query = query.where((eb) => eb.exists(eb.selectFrom('ticket_tags').select('ticket_tags.tag').whereRef('ticket_tags.ticket_id', '=', 'tickets.id').where('ticket_tags.tag', '=', tag)));
  }
  const search = filters.q?.trim();
  if (search) query = query.where((eb) => matchesSearch(eb, search));
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor);
    // A row comparison, which both engines turn into a seek on the list indexes; the equivalent
    // `at < x or (at = x and id < y)` made them read every ticket of the earlier pages again.
    query = query.where((eb) => eb(eb.refTuple('tickets.last_activity_at', 'tickets.id'), '<', eb.tuple(at, id)));
  }
  const rows = await query.orderBy('tickets.last_activity_at', 'desc').orderBy('tickets.id', 'desc').limit(page.limit + 1).execute();
  const pageRows = rows.slice(0, page.limit);
  const [tags, previous] = await Promise.all([tagsOf(db, caller.workspaceId, pageRows.map((r) => r.id)), previousTicketsOf(db, caller.workspaceId, pageRows)]);
  const tickets = pageRows.map((row) => toView(row, tags.get(row.id) ?? [], previous));
  const last = tickets.at(-1);
  return { tickets, nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null };
}

/** Ticket numbers the search may mean; longer digit strings are phone numbers, never ticket numbers. */
const TICKET_NUMBER = /^#?(\d{1,9})$/;

/**
 * The search as one condition on the ticket row, so the list keeps its order, filters and cursor. Plain
 * LIKE over the message text, not full-text: a full-text index would cost every message insert, and
 * ingest speed comes first until search gets its own index and targets.
 */
function matchesSearch(eb: ExpressionBuilder<Database, 'tickets' | 'contacts'>, search: string) {
  const number = TICKET_NUMBER.exec(search)?.[1];
  // "#123" can only mean a ticket number; a bare "123" may also be part of a phone number or a text.
  if (number && search.startsWith('#')) return eb('tickets.number', '=', Number(number));
  const digits = search.replace(/\D/g, '');
  const handle = search.replace(/^@/, '');
  return eb.or([
    ...(number ? [eb('tickets.number', '=', Number(number))] : []),
    containsText(eb.ref('contacts.name'), search),
    containsText(eb.ref('tickets.subject'), search),
    eb.exists(
      eb
        .selectFrom('contact_identities')
        .select('contact_identities.id')
        .whereRef('contact_identities.contact_id', '=', 'tickets.contact_id')
        .where((identity) =>
          identity.or([
            containsText(identity.ref('contact_identities.address'), search),
            containsText(identity.ref('contact_identities.username'), handle),
            containsText(identity.ref('contact_identities.display_name'), search),
            // "+44 7700 900123" finds the stored wa_id 447700900123.
            ...(digits.length >= 3 && digits !== search ? [containsText(identity.ref('contact_identities.address'), digits)] : []),
          ]),
        ),
    ),
    eb.exists(eb.selectFrom('ticket_tags').select('ticket_tags.tag').whereRef('ticket_tags.ticket_id', '=', 'tickets.id').where((tag) => containsText(tag.ref('ticket_tags.tag'), search))),
    eb.exists(eb.selectFrom('messages').select('messages.id').whereRef('messages.ticket_id', '=', 'tickets.id').where((message) => containsText(message.ref('messages.body'), search))),
  ]);
}

async function tagsOf(db: Kysely<Database>, workspaceId: string, ticketIds: string[]): Promise<Map<string, string[]>> {
  const byTicket = new Map<string, string[]>();
  if (ticketIds.length === 0) return byTicket;
  const rows = await db.selectFrom('ticket_tags').select(['ticket_id', 'tag']).where('workspace_id', '=', workspaceId).where('ticket_id', 'in', ticketIds).orderBy('tag').execute();
  for (const row of rows) byTicket.set(row.ticket_id, [...(byTicket.get(row.ticket_id) ?? []), row.tag]);
  return byTicket;
}

/** One ticket of the workspace with its messages and timeline, oldest first. */
/** The most messages one read of a thread answers; older ones come a page at a time with the cursor. */
export const THREAD_PAGE_MAX = 100;

/** An opaque cursor into a thread: the oldest message answered (its store time and id). */
function encodeThreadCursor(message: { created_at: number; id: string }): string {
  return Buffer.from(JSON.stringify([message.created_at, message.id])).toString('base64url');
}

/**
 * One ticket with its newest messages and their timeline, as `viewer` may see it: a message the customer
 * unsent keeps its content only for admins (the channel keeps it for audits), everyone else sees that it
 * was unsent. `page.before` (a cursor this answered as `olderCursor`) reads the messages before it
 * instead. Timeline events come with the page whose time span holds them, so each comes once.
 */
export async function getTicketDetail(db: Kysely<Database>, viewer: { workspaceId: string; role: 'admin' | 'agent' }, ticketId: string, page: { before?: string; limit?: number } = {}) {
  const { workspaceId } = viewer;
  const limit = Math.min(page.limit ?? THREAD_PAGE_MAX, THREAD_PAGE_MAX);
  const before = page.before ? decodeCursor(page.before) : null;
  // The page's messages, newest first, before the cursor when there is one.
  const pageMessages = () =>
    db
      .selectFrom('messages as m')
      .where('m.workspace_id', '=', workspaceId)
      .where('m.ticket_id', '=', ticketId)
      .$if(before !== null, (query) => query.where((eb) => eb.or([eb('m.created_at', '<', before![0]), eb.and([eb('m.created_at', '=', before![0]), eb('m.id', '<', before![1])])])))
      .orderBy('m.created_at', 'desc')
      .orderBy('m.id', 'desc');
  // The page's oldest message's time, when older messages exist: where its events start.
  const nthCreatedAt = (offset: number) => pageMessages().select('m.created_at').limit(1).offset(offset);
  // All reads at once, each scoped to the workspace, so on PostgreSQL the page costs one round trip
  // rather than three; an unknown ticket still answers not found. Messages are read without the columns
  // the view leaves out: converting columns dominates reading a page of a long thread.
  const [ticket, newestFirst, events] = await Promise.all([
    ticketView(db, workspaceId, ticketId),
    pageMessages()
      // A message names its author: a person, or an integration by its token's name (revoked or not).
      .leftJoin('users as person', 'person.id', 'm.author_user_id')
      .leftJoin('api_tokens as integration', 'integration.id', 'm.author_integration_id')
      .select([
        'm.id', 'm.direction', 'm.author_kind', 'm.author_user_id', 'm.author_integration_id', 'm.kind', 'm.body', 'm.html', 'm.subject', 'm.template',
        'm.attachments', 'm.data', 'm.automated', 'm.status', 'm.error_code', 'm.error_message', 'm.provider_timestamp', 'm.created_at',
        'person.name as person_name',
        'integration.name as integration_name',
      ])
      .limit(limit + 1)
      .execute(),
    db
      .selectFrom('ticket_events as e')
      .leftJoin('users as person', 'person.id', 'e.actor_user_id')
      .leftJoin('api_tokens as integration', 'integration.id', 'e.actor_integration_id')
      .selectAll('e')
      .select(['person.name as person_name', 'integration.name as integration_name'])
      .where('e.workspace_id', '=', workspaceId)
      .where('e.ticket_id', '=', ticketId)
      .where((eb) => eb.or([eb(nthCreatedAt(limit), 'is', null), eb('e.created_at', '>=', nthCreatedAt(limit - 1))]))
      .$if(before !== null, (query) => query.where('e.created_at', '<', before![0]))
      .orderBy('e.created_at')
      .orderBy('e.id')
      .execute(),
  ]);
  const olderExist = newestFirst.length > limit;
  const messages = newestFirst.slice(0, limit).reverse();
  const oldest = olderExist ? messages[0]! : null;
  return {
    ticket,
    /** Set when the thread has older messages: `before` reads the page before these. */
    olderCursor: oldest ? encodeThreadCursor(oldest) : null,
    messages: messages.map((m) =>
      withUnsentContentFor(viewer.role, {
        id: m.id,
        direction: m.direction,
        authorKind: m.author_kind,
        authorUserId: m.author_user_id,
        /** Who wrote it; an integration by the name it was given. */
        author: authorOf(m.author_kind, m.author_user_id, m.person_name, m.author_integration_id, m.integration_name),
        kind: m.kind,
        body: m.body,
        html: m.html,
        subject: m.subject,
        template: fromJson<Record<string, unknown>>(m.template),
        attachments: fromJson<unknown[]>(m.attachments) ?? [],
        data: fromJson<Record<string, unknown>>(m.data),
        automated: m.automated === 1,
        status: m.status,
        errorCode: m.error_code,
        errorMessage: m.error_message,
        providerTimestamp: m.provider_timestamp,
        createdAt: m.created_at,
      }),
    ),
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      actorKind: e.actor_kind,
      actorUserId: e.actor_user_id,
      actor: authorOf(e.actor_kind, e.actor_user_id, e.person_name, e.actor_integration_id, e.integration_name),
      data: fromJson<Record<string, unknown>>(e.data) ?? {},
      createdAt: e.created_at,
    })),
  };
}

/** The view of one ticket of the workspace. */
export async function ticketView(db: Kysely<Database>, workspaceId: string, ticketId: string): Promise<TicketView> {
  const [row, tags] = await Promise.all([
    db
      .selectFrom('tickets')
      .leftJoin('contacts', 'contacts.id', 'tickets.contact_id')
      .selectAll('tickets')
      .select('contacts.name as contact_name')
      .where('tickets.workspace_id', '=', workspaceId)
      .where('tickets.id', '=', ticketId)
      .executeTakeFirst(),
    tagsOf(db, workspaceId, [ticketId]),
  ]);
  if (!row) throw notFound('The ticket');
  return toView(row, tags.get(row.id) ?? [], await previousTicketsOf(db, workspaceId, [row]));
}

/** The tickets these tickets continue, by id: read apart, so the list's query keeps its indexes. */
async function previousTicketsOf(db: Kysely<Database>, workspaceId: string, rows: Pick<TicketRow, 'previous_ticket_id'>[]): Promise<Map<string, PreviousTicket>> {
  const ids = [...new Set(rows.flatMap((r) => (r.previous_ticket_id ? [r.previous_ticket_id] : [])))];
  const byId = new Map<string, PreviousTicket>();
  if (ids.length === 0) return byId;
  const found = await db.selectFrom('tickets').select(['id', 'number', 'closed_at']).where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
  for (const t of found) byId.set(t.id, { id: t.id, number: t.number, closedAt: t.closed_at });
  return byId;
}

/** Who wrote a message or made a change: its kind, and the person's or the integration's id and name. */
export interface AuthorView {
  kind: string;
  id: string | null;
  name: string | null;
}

function authorOf(kind: string, userId: string | null, userName: string | null, integrationId: string | null, integrationName: string | null): AuthorView {
  if (integrationId) return { kind, id: integrationId, name: integrationName };
  return { kind, id: userId, name: userId ? userName : null };
}

function withUnsentContentFor<M extends { body: string | null; html: string | null; attachments: unknown[]; data: Record<string, unknown> | null }>(role: 'admin' | 'agent', message: M): M {
  if (role === 'admin' || !message.data?.unsent) return message;
  return { ...message, body: null, html: null, attachments: [] };
}
