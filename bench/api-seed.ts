// Seeds the API benchmark's store: the workspace, channels, agents and API token through the product's
// own use cases, then the planned contacts, tickets, tags, timeline events and messages in bulk.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Engine } from '../src/db/dialect/engine.js';
import type { Store } from '../src/db/store.js';
import { DAY, MINUTE, systemClock } from '../src/domain/clock.js';
import { newId } from '../src/lib/ids.js';
import type { Caller } from '../src/domain/caller.js';
import { createApiToken } from '../src/modules/auth/api-tokens.js';
import { putAutoCloseRule } from '../src/modules/auto-close/auto-close-rules.js';
import { insertChannel } from '../src/modules/channels/channel.repo.js';
import { createDeps } from '../src/modules/deps.js';
import { hashPassword } from '../src/modules/users/password.js';
import { insertUser } from '../src/modules/users/user.repo.js';
import { insertWorkspace } from '../src/modules/workspaces/workspace.repo.js';
import { AGENT_COUNT, CHANNEL_KINDS, INBOUND, messageBody, mix, NOTE, planInbox, providerTimeOf, type Plan, type PlannedTicket } from './api-plan.js';
import { openBulkWriter, type BulkWriter, type Value } from './bulk-insert.js';

export interface SeedOptions {
  tickets: number;
  messages: number;
  contacts: number;
}

export interface SeededInbox {
  plan: Plan;
  workspaceId: string;
  /** The agent the benchmark calls as ("me"), and their bearer token. */
  callerId: string;
  token: string;
  /** Channel ids in CHANNEL_KINDS order. */
  channelIds: string[];
  /** Ticket ids in plan order (creation order). */
  ticketIds: string[];
  counts: { contacts: number; identities: number; tickets: number; activeTickets: number; messages: number; events: number; tags: number };
  seconds: number;
  /** Seconds per seeding step, in order. */
  steps: [string, number][];
}

const BATCH = 10_000;
const RULE_KIND = 'customer_inactivity';

export async function seedInbox(engine: Engine, store: Store, databaseUrl: string, options: SeedOptions): Promise<SeededInbox> {
  const started = performance.now();
  const now = systemClock.now();
  const deps = createDeps(store, systemClock);
  const workspace = await insertWorkspace(store.db, 'Bench Shop', now - 400 * DAY);
  const channels = [
    await insertChannel(store.db, { workspaceId: workspace.id, kind: 'whatsapp', name: 'WhatsApp', externalId: `bench-wa-${newId()}`, config: { displayPhoneNumber: '+1 555 000 1111' } }, now),
    await insertChannel(store.db, { workspaceId: workspace.id, kind: 'instagram', name: 'Instagram', externalId: `9${systemClock.now()}${process.pid}`, config: { username: 'bench.shop' } }, now),
    await insertChannel(store.db, { workspaceId: workspace.id, kind: 'email', name: 'Support email', externalId: `support+${newId()}@bench.threadbox.test` }, now),
  ];
  const rules = await Promise.all(channels.map((c) => putAutoCloseRule(deps, workspace.id, { channelId: c.id, kind: RULE_KIND, durationMinutes: (3 * DAY) / MINUTE, enabled: true })));
  const agents = [];
  for (let a = 0; a < AGENT_COUNT; a++) {
    const role = a === AGENT_COUNT - 1 ? 'admin' : 'agent';
    const passwordHash = await hashPassword(randomBytes(12).toString('base64url'));
    agents.push(await insertUser(store.db, { workspaceId: workspace.id, email: `agent${a}-${workspace.id}@bench.threadbox.test`, name: `Agent ${a}`, role, passwordHash }, now - 400 * DAY));
  }
  const me = agents[0]!;
  const caller: Caller = { userId: me.id, workspaceId: workspace.id, role: me.role, email: me.email, name: me.name, via: 'session' };
  const { token } = await createApiToken(deps, caller, 'API benchmark');

  const steps: [string, number][] = [];
  let stepStarted = started;
  const step = <T>(name: string, value: T): T => {
    const at = performance.now();
    steps.push([name, (at - stepStarted) / 1000]);
    stepStarted = at;
    return value;
  };
  step('setup', null);
  const plan = step('plan', planInbox({ ...options, now }));
  const ids = { workspace: workspace.id, channels: channels.map((c) => c.id), agents: agents.map((a) => a.id), rules: rules.map((r) => r.id) };
  const writer = openBulkWriter(engine, databaseUrl);
  let counts: SeededInbox['counts'];
  let ticketIds: string[];
  try {
    const contacts = step('contacts', await writeContacts(writer, plan, ids));
    ticketIds = step('tickets', await writeTickets(writer, plan, ids, contacts.contactIds));
    const events = step('timeline', await writeTimeline(writer, plan, ids, ticketIds, now));
    const messages = await writeMessages(writer, plan, ids, ticketIds);
    await writer.flush();
    step('messages', null);
    counts = {
      contacts: plan.contacts.length,
      identities: contacts.identities,
      tickets: plan.tickets.length,
      activeTickets: plan.tickets.filter((t) => t.status !== 'closed').length,
      messages,
      events: events.events,
      tags: events.tags,
    };
  } finally {
    await writer.close();
  }
  await store.db.updateTable('workspaces').set({ ticket_seq: plan.tickets.length }).where('id', '=', workspace.id).execute();
  // The planner's statistics, as a production database has them. On PostgreSQL also the vacuum that
  // autovacuum would otherwise start in the middle of the measurements, after a million inserts.
  await (engine === 'postgres' ? sql`vacuum analyze` : sql`analyze`).execute(store.db);
  step(engine === 'postgres' ? 'vacuum analyze' : 'analyze', null);
  return { plan, workspaceId: workspace.id, callerId: me.id, token, channelIds: ids.channels, ticketIds, counts, seconds: (performance.now() - started) / 1000, steps };
}

interface Ids {
  workspace: string;
  channels: string[];
  agents: string[];
  rules: string[];
}

/** Batches rows into the writer. */
function batcher(writer: BulkWriter, table: string, columns: readonly string[]) {
  let rows: Value[][] = [];
  let written = 0;
  return {
    async add(row: Value[]) {
      rows.push(row);
      if (rows.length >= BATCH) await this.end();
    },
    async end() {
      if (rows.length === 0) return written;
      const full = rows;
      rows = [];
      written += full.length;
      await writer.insert(table, columns, full);
      return written;
    },
  };
}

const ascii = (text: string) => text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();

function addressOf(plan: Plan, pair: number): { address: string; username: string | null } {
  const { contact, channel } = plan.pairs[pair]!;
  const person = plan.contacts[contact]!;
  switch (CHANNEL_KINDS[channel]) {
    case 'whatsapp':
      return { address: `${['49151', '1555', '44770', '55119', '34612'][contact % 5]}${String(contact).padStart(7, '0')}`, username: null };
    case 'instagram':
      return { address: `17841${String(4_000_000_000 + contact).padStart(11, '0')}`, username: `${ascii(person.first)}.${ascii(person.last)}${contact % 100}` };
    default:
      return { address: `${ascii(person.first)}.${ascii(person.last)}.${contact}@example.com`, username: null };
  }
}

async function writeContacts(writer: BulkWriter, plan: Plan, ids: Ids): Promise<{ contactIds: string[]; identities: number }> {
  // A contact appears with its first ticket and changes with its latest.
  const firstSeen = new Float64Array(plan.contacts.length).fill(Infinity);
  const lastSeen = new Float64Array(plan.contacts.length);
  for (const t of plan.tickets) {
    firstSeen[t.contact] = Math.min(firstSeen[t.contact]!, t.createdAt);
    lastSeen[t.contact] = Math.max(lastSeen[t.contact]!, t.lastActivityAt);
  }
  const pairSeen = new Float64Array(plan.pairs.length).fill(Infinity);
  for (const t of plan.tickets) pairSeen[t.pair] = Math.min(pairSeen[t.pair]!, t.createdAt);
  const contactIds = plan.contacts.map(() => newId());
  const contacts = batcher(writer, 'contacts', ['id', 'workspace_id', 'name', 'created_at', 'updated_at']);
  for (let c = 0; c < plan.contacts.length; c++) {
    const created = Number.isFinite(firstSeen[c]!) ? firstSeen[c]! : systemClock.now();
    await contacts.add([contactIds[c]!, ids.workspace, plan.contacts[c]!.name, created, Math.max(created, lastSeen[c]!)]);
  }
  await contacts.end();
  await writer.flush();
  const identities = batcher(writer, 'contact_identities', ['id', 'workspace_id', 'contact_id', 'channel_id', 'channel_kind', 'address', 'display_name', 'username', 'created_at']);
  for (let p = 0; p < plan.pairs.length; p++) {
    const { contact, channel } = plan.pairs[p]!;
    const { address, username } = addressOf(plan, p);
    const created = Number.isFinite(pairSeen[p]!) ? pairSeen[p]! : systemClock.now();
    await identities.add([newId(), ids.workspace, contactIds[contact]!, ids.channels[channel]!, CHANNEL_KINDS[channel]!, address, plan.contacts[contact]!.name, username, created]);
  }
  const count = await identities.end();
  await writer.flush();
  return { contactIds, identities: count };
}

const TICKET_COLUMNS = [
  'id', 'workspace_id', 'number', 'channel_id', 'contact_id', 'status', 'priority', 'subject', 'created_by', 'creator_user_id', 'assignee_user_id', 'snoozed_until',
  'last_message_direction', 'last_inbound_at', 'last_outbound_at', 'last_customer_sent_at', 'last_activity_at', 'last_message_preview', 'first_response_at',
  'created_at', 'updated_at', 'closed_at', 'closed_by_user_id', 'closed_by_rule_id', 'close_reason', 'previous_ticket_id',
] as const;

const agentOf = (ids: Ids, t: PlannedTicket, salt: number) => ids.agents[t.assignee >= 0 ? t.assignee : mix(t.index, salt) % ids.agents.length]!;

async function writeTickets(writer: BulkWriter, plan: Plan, ids: Ids, contactIds: string[]): Promise<string[]> {
  const ticketIds = plan.tickets.map(() => newId());
  const tickets = batcher(writer, 'tickets', TICKET_COLUMNS);
  for (const t of plan.tickets) {
    const closed = t.status === 'closed';
    await tickets.add([
      ticketIds[t.index]!, ids.workspace, t.index + 1, ids.channels[t.channel]!, contactIds[t.contact]!, t.status, t.priority, t.subject, t.createdBy,
      t.createdBy === 'agent' ? agentOf(ids, t, 1) : null, t.assignee >= 0 ? ids.agents[t.assignee]! : null, t.snoozedUntil,
      t.lastMessageDirection, t.lastInboundAt, t.lastOutboundAt, t.lastCustomerSentAt, t.lastActivityAt, t.preview, t.firstResponseAt,
      t.createdAt, Math.max(t.lastActivityAt, t.closedAt ?? 0), t.closedAt,
      closed && !t.closedByRule ? agentOf(ids, t, 2) : null, closed && t.closedByRule ? ids.rules[t.channel]! : null, closed && t.closedByRule ? 'customer_inactivity' : null, null,
    ]);
  }
  await tickets.end();
  await writer.flush();
  return ticketIds;
}

/** Tags and the timeline: created, assigned, tagged, status changes and closing, each as the product records them. */
async function writeTimeline(writer: BulkWriter, plan: Plan, ids: Ids, ticketIds: string[], now: number): Promise<{ events: number; tags: number }> {
  const tags = batcher(writer, 'ticket_tags', ['workspace_id', 'ticket_id', 'tag']);
  const events = batcher(writer, 'ticket_events', ['id', 'workspace_id', 'ticket_id', 'type', 'actor_kind', 'actor_user_id', 'data', 'created_at']);
  for (const t of plan.tickets) {
    const id = ticketIds[t.index]!;
    const event = (type: string, actor: string | null, data: unknown, at: number) =>
      events.add([newId(), ids.workspace, id, type, actor ? 'user' : type === 'ticket.closed' ? 'system' : 'customer', actor, JSON.stringify(data), Math.min(at, now)]);
    for (const tag of t.tags) await tags.add([ids.workspace, id, tag]);
    await event('ticket.created', t.createdBy === 'agent' ? agentOf(ids, t, 1) : null, { createdBy: t.createdBy }, t.createdAt);
    const handled = t.firstResponseAt ?? t.createdAt + MINUTE;
    if (t.assignee >= 0 && t.createdBy === 'customer') await event('assigned', ids.agents[t.assignee]!, { from: null, to: ids.agents[t.assignee]! }, Math.min(handled, t.lastActivityAt));
    if (t.tags.length) await event('tags.changed', agentOf(ids, t, 3), { added: t.tags, removed: [] }, Math.min(handled, t.lastActivityAt));
    if (t.status === 'pending') await event('status.changed', agentOf(ids, t, 3), { from: 'open', to: 'pending' }, t.lastOutboundAt ?? t.lastActivityAt);
    if (t.status === 'snoozed') await event('status.changed', agentOf(ids, t, 3), { from: 'open', to: 'snoozed', snoozedUntil: t.snoozedUntil }, t.lastActivityAt);
    if (t.closedAt !== null) {
      if (t.closedByRule) await event('ticket.closed', null, { from: t.closedFrom, reason: RULE_KIND, ruleId: ids.rules[t.channel]!, ruleKind: RULE_KIND }, t.closedAt);
      else await event('ticket.closed', agentOf(ids, t, 2), { from: t.closedFrom, reason: null }, t.closedAt);
    }
  }
  const tagCount = await tags.end();
  const eventCount = await events.end();
  await writer.flush();
  return { events: eventCount, tags: tagCount };
}

const MESSAGE_COLUMNS = [
  'id', 'workspace_id', 'ticket_id', 'channel_id', 'direction', 'author_kind', 'author_user_id', 'kind', 'body', 'html', 'subject', 'template', 'attachments', 'data',
  'automated', 'provider_message_id', 'provider_timestamp', 'reply_to_provider_message_id', 'status', 'error_code', 'error_message', 'created_at',
] as const;

const OUTBOUND_STATUSES = ['read', 'read', 'read', 'read', 'read', 'read', 'delivered', 'delivered', 'delivered', 'sent'] as const;

function providerIdOf(kind: string, t: PlannedTicket, seq: number, outbound: boolean): string {
  const key = `${t.index.toString(36)}${seq.toString(36).padStart(3, '0')}${outbound ? 'o' : 'i'}${(mix(t.index, seq, 3) % 1e8).toString(36)}`;
  if (kind === 'whatsapp') return `wamid.HBgL${key.toUpperCase()}`;
  if (kind === 'instagram') return `aWdfZAG1faXRlbToxOk${key}`;
  return `<${key}@mail.example.com>`;
}

/** Every message, written in the order they arrived, so the table grows as a real one does. */
async function writeMessages(writer: BulkWriter, plan: Plan, ids: Ids, ticketIds: string[]): Promise<number> {
  const total = plan.messageTicket.length;
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((a, b) => plan.messageTime[a]! - plan.messageTime[b]!);
  const messages = batcher(writer, 'messages', MESSAGE_COLUMNS);
  for (const slot of order) {
    const t = plan.tickets[plan.messageTicket[slot]!]!;
    const seq = slot - t.firstMessage;
    const direction = plan.messageDirection[slot]!;
    const at = plan.messageTime[slot]!;
    const kind = CHANNEL_KINDS[t.channel]!;
    const body = messageBody(plan, t, seq);
    const h = mix(t.index, seq, 5);
    const subject = kind === 'email' && seq === 0 ? t.subject : null;
    if (direction === NOTE) {
      await messages.add([newId(), ids.workspace, ticketIds[t.index]!, ids.channels[t.channel]!, 'internal', 'agent', agentOf(ids, t, 4), 'note', body, null, null, null, null, null, 0, null, null, null, 'note', null, null, at]);
    } else if (direction === INBOUND) {
      const image = h % 30 === 0;
      const attachments = image ? JSON.stringify([{ fileName: 'photo.jpg', contentType: 'image/jpeg', size: 100_000 + (h % 900_000), providerRef: `media-${h}`, caption: null }]) : null;
      await messages.add([
        newId(), ids.workspace, ticketIds[t.index]!, ids.channels[t.channel]!, 'inbound', 'customer', null, image ? 'image' : 'text', body, null, subject, null, attachments, null,
        0, providerIdOf(kind, t, seq, false), providerTimeOf(t, seq, at), null, 'received', null, null, at,
      ]);
    } else {
      const template = t.createdBy === 'agent' && seq === 0 && kind === 'whatsapp';
      const failed = h % 50 === 0;
      await messages.add([
        newId(), ids.workspace, ticketIds[t.index]!, ids.channels[t.channel]!, 'outbound', 'agent', agentOf(ids, t, 4), template ? 'template' : 'text', body, null, subject,
        template ? JSON.stringify({ name: 'order_shipped', language: 'en_US', parameters: { body: [plan.contacts[t.contact]!.first, `#${1000 + t.index}`] } }) : null, null, null,
        0, failed ? null : providerIdOf(kind, t, seq, true), null, null, failed ? 'failed' : OUTBOUND_STATUSES[h % OUTBOUND_STATUSES.length]!,
        failed ? '131047' : null, failed ? 'More than 24 hours have passed since the customer last replied.' : null, at,
      ]);
    }
  }
  return messages.end();
}
