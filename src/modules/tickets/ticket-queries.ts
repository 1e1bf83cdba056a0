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
}

type Row = TicketRow & { contact_name: string | null };

function toView(row: Row, tags: string[]): TicketView {
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
  caller: { workspaceId: string; userId: string },
  filters: TicketFilters,
  page: { cursor?: string; limit: number },
): Promise<{ tickets: TicketView[]; nextCursor: string | null }> {
  let query = ticketsWithContact(db, caller.workspaceId);
  if (filters.status?.length) query = query.where('tickets.status', 'in', filters.status);
  if (filters.channelId) query = query.where('tickets.channel_id', '=', filters.channelId);
  if (filters.createdBy) query = query.where('tickets.created_by', '=', filters.createdBy);
  if (filters.assignee === 'me') query = query.where('tickets.assignee_user_id', '=', caller.userId);
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
  const tags = await tagsOf(db, caller.workspaceId, pageRows.map((r) => r.id));
  const tickets = pageRows.map((row) => toView(row, tags.get(row.id) ?? []));
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
/**
 * One ticket with its messages and timeline, as `viewer` may see it: a message the customer unsent keeps
 * its content only for admins (the channel keeps it for audits), everyone else sees that it was unsent.
 */
export async function getTicketDetail(db: Kysely<Database>, viewer: { workspaceId: string; role: 'admin' | 'agent' }, ticketId: string) {
  const { workspaceId } = viewer;
  // All reads at once, each scoped to the workspace, so on PostgreSQL the ticket costs one round trip
  // rather than four; an unknown ticket still answers not found. Messages are read without the columns
  // the view leaves out: converting columns dominates reading a ticket of hundreds of messages.
  const [ticket, messages, events] = await Promise.all([
    ticketView(db, workspaceId, ticketId),
    db
      .selectFrom('messages')
      .select(['id', 'direction', 'author_kind', 'author_user_id', 'kind', 'body', 'html', 'subject', 'template', 'attachments', 'data', 'automated', 'status', 'error_code', 'error_message', 'provider_timestamp', 'created_at'])
      .where('workspace_id', '=', workspaceId)
      .where('ticket_id', '=', ticketId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db.selectFrom('ticket_events').selectAll().where('workspace_id', '=', workspaceId).where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute(),
  ]);
  return {
    ticket,
    messages: messages.map((m) =>
      withUnsentContentFor(viewer.role, {
        id: m.id,
        direction: m.direction,
        authorKind: m.author_kind,
        authorUserId: m.author_user_id,
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
    events: events.map((e) => ({ id: e.id, type: e.type, actorKind: e.actor_kind, actorUserId: e.actor_user_id, data: fromJson<Record<string, unknown>>(e.data) ?? {}, createdAt: e.created_at })),
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
  return toView(row, tags.get(row.id) ?? []);
}

function withUnsentContentFor<M extends { body: string | null; html: string | null; attachments: unknown[]; data: Record<string, unknown> | null }>(role: 'admin' | 'agent', message: M): M {
  if (role === 'admin' || !message.data?.unsent) return message;
  return { ...message, body: null, html: null, attachments: [] };
}
