// The shape of a big, lived-in inbox for the API benchmark, planned in memory before anything is written:
// contacts on their channels, a year of tickets per (channel, contact) with at most one active at a time,
// and the messages of every ticket, from which each ticket's activity columns follow.
import { DAY, HOUR, MINUTE } from '../src/domain/clock.js';
import type { TicketStatus } from '../src/domain/ticket-status.js';
import type { ChannelKind } from '../src/domain/reply-policy.js';
import { previewOf } from '../src/modules/tickets/ticket-activity.js';

export const CHANNEL_KINDS: readonly ChannelKind[] = ['whatsapp', 'instagram', 'email'];
export const AGENT_COUNT = 6;
/** Tags by how often they are used: the first is the commonest. */
export const TAGS = ['order-status', 'shipping', 'refund', 'returns', 'billing', 'damaged', 'exchange', 'vip', 'bug', 'feedback', 'wholesale', 'complaint'] as const;

export const INBOUND = 0;
export const OUTBOUND = 1;
export const NOTE = 2;

export interface PlanOptions {
  tickets: number;
  messages: number;
  contacts: number;
  now: number;
}

export interface PlannedContact {
  name: string | null;
  first: string;
  last: string;
}

export interface PlannedTicket {
  /** Position in creation order: the ticket's number is index + 1. */
  index: number;
  pair: number;
  contact: number;
  channel: number;
  status: TicketStatus;
  createdBy: 'customer' | 'agent';
  /** Agent index, or -1 when unassigned. */
  assignee: number;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  subject: string | null;
  tags: string[];
  /** A long conversation of hundreds of messages. */
  big: boolean;
  createdAt: number;
  lastActivityAt: number;
  closedAt: number | null;
  closedByRule: boolean;
  closedFrom: TicketStatus;
  snoozedUntil: number | null;
  /** Slot of the first message in the message arrays; the ticket's messages are contiguous. */
  firstMessage: number;
  messageCount: number;
  lastMessageDirection: 'inbound' | 'outbound' | null;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  lastCustomerSentAt: number | null;
  firstResponseAt: number | null;
  preview: string | null;
}

export interface Plan {
  contacts: PlannedContact[];
  /** Each (channel, contact) pair a customer writes from. */
  pairs: { contact: number; channel: number }[];
  tickets: PlannedTicket[];
  /** Per message slot: its ticket, time and direction (INBOUND, OUTBOUND or NOTE). */
  messageTicket: Int32Array;
  messageTime: Float64Array;
  messageDirection: Uint8Array;
}

/** A small fast generator, seeded so every run plans the same inbox. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable pseudo-random integer for a ticket's message, so texts need not be kept in memory. */
export function mix(a: number, b: number, salt = 0): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + salt, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

const FIRST = ['Maria', 'Jonas', 'Priya', 'Oliver', 'Aisha', 'Lucas', 'Mei', 'Diego', 'Fatima', 'Noah', 'Sofia', 'Ken', 'Amara', 'Liam', 'Elena', 'Omar', 'Hana', 'Mateo', 'Zoe', 'Ravi'];
const LAST = ['Santos', 'Weber', 'Nair', 'Bennett', 'Khan', 'Silva', 'Chen', 'García', 'Haddad', 'Müller', 'Rossi', 'Tanaka', 'Okafor', 'Murphy', 'Petrova', 'Farouk', 'Kim', 'López', 'Dubois', 'Patel'];
const PRODUCTS = ['linen shirt', 'ceramic mug', 'desk lamp', 'wool scarf', 'running shoes', 'backpack', 'phone case', 'water bottle', 'rain jacket', 'yoga mat'];
const COUNTRIES = ['Germany', 'Brazil', 'Canada', 'Japan', 'Spain', 'Kenya', 'Australia', 'India'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'yesterday', 'last week'];
const CUSTOMER = [
  'Hi! Where is my order #{order}? It was supposed to arrive {day}.',
  'Do you ship the {product} to {country}?',
  'The {product} in my last order arrived damaged. Could I get a refund?',
  'Thanks, that worked!',
  'Can I change the size on order #{order} before it ships?',
  'I still have not received a tracking number for #{order}.',
  'Is the {product} back in stock?',
  'Ok, thank you 🙏',
  'I was charged twice for order #{order}, please check.',
  'Hello, I would like to return the {product}. How does that work?',
  'Any update on this?',
  'Great, I just sent the photo.',
];
const AGENT = [
  'Hi {name}! Let me check that for you.',
  'Your order #{order} shipped {day}; you can follow it at https://track.example.com/{order}',
  'I have issued a refund of ${amount}; it shows on your statement within 3–5 business days.',
  'Could you send a photo of the damage? Then I can arrange a replacement.',
  'We ship to {country} in 5–7 business days, free above $50.',
  'Happy to help! Is there anything else I can do for you?',
  'The {product} is back in stock next week; I can reserve one for you.',
  'Returns are free within 30 days: reply with your order number and I will send the label.',
];
const NOTES = ['VIP customer, offer free shipping.', 'Checked with the warehouse: the parcel is lost, reshipping.', 'Escalated to billing.', 'Second complaint this month.', 'Waiting for the carrier to answer.'];
const SUBJECTS = ['Refund for a damaged item', 'Where is my order?', 'Question about sizes', 'Invoice request', 'Return label', 'Wholesale inquiry', 'Problem with my payment'];

const fill = (template: string, ticket: PlannedTicket, contact: PlannedContact, h: number) =>
  template
    .replaceAll('{order}', String(1000 + (ticket.index % 90_000)))
    .replaceAll('{product}', PRODUCTS[h % PRODUCTS.length]!)
    .replaceAll('{country}', COUNTRIES[(h >>> 4) % COUNTRIES.length]!)
    .replaceAll('{day}', DAYS[(h >>> 8) % DAYS.length]!)
    .replaceAll('{amount}', String(10 + ((h >>> 12) % 190)))
    .replaceAll('{name}', contact.first);

/** The text of one message; email adds a greeting and signature, as mail clients do. */
export function messageBody(plan: Plan, ticket: PlannedTicket, seq: number): string {
  const direction = plan.messageDirection[ticket.firstMessage + seq]!;
  const contact = plan.contacts[ticket.contact]!;
  const h = mix(ticket.index, seq);
  if (direction === NOTE) return NOTES[h % NOTES.length]!;
  const text = fill((direction === INBOUND ? CUSTOMER : AGENT)[h % (direction === INBOUND ? CUSTOMER.length : AGENT.length)]!, ticket, contact, h);
  if (CHANNEL_KINDS[ticket.channel] !== 'email') return text;
  return direction === INBOUND ? `Hello,\n\n${text}\n\nBest regards,\n${contact.first} ${contact.last}` : `Hi ${contact.first},\n\n${text}\n\nKind regards,\nThe Support Team`;
}

/** When the customer's device sent an inbound message: a moment before it reached us. */
export const providerTimeOf = (ticket: PlannedTicket, seq: number, receivedAt: number) => receivedAt - (mix(ticket.index, seq, 7) % 4000);

export function planInbox(options: PlanOptions): Plan {
  if (options.messages < options.tickets) throw new Error('--messages must be at least --tickets: every ticket starts with a message');
  const random = seededRandom(20_240_601);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const contacts = planContacts(Math.max(1, Math.min(options.contacts, options.tickets)), pick, random);
  const pairs = planPairs(contacts.length, random);
  const tickets = planTickets(pairs, options, random, pick);
  const plan = planMessages(tickets, contacts, pairs, options, random);
  for (const ticket of tickets) deriveActivity(plan, ticket);
  return plan;
}

function planContacts(count: number, pick: <T>(list: readonly T[]) => T, random: () => number): PlannedContact[] {
  return Array.from({ length: count }, () => {
    const first = pick(FIRST);
    const last = pick(LAST);
    // Some customers write without a profile name.
    return { first, last, name: random() < 0.06 ? null : `${first} ${last}` };
  });
}

/** Every contact writes on one channel (WhatsApp most); about one in eight also on a second one. */
function planPairs(contactCount: number, random: () => number) {
  const pairs: { contact: number; channel: number }[] = [];
  for (let contact = 0; contact < contactCount; contact++) {
    const r = random();
    const channel = r < 0.55 ? 0 : r < 0.8 ? 1 : 2;
    pairs.push({ contact, channel });
    if (random() < 0.12) pairs.push({ contact, channel: (channel + 1 + Math.floor(random() * 2)) % 3 });
  }
  return pairs;
}

const HISTORY = 365 * DAY;

function planTickets(pairs: Plan['pairs'], options: PlanOptions, random: () => number, pick: <T>(list: readonly T[]) => T): PlannedTicket[] {
  const { now } = options;
  // One ticket per pair first, the rest to returning customers: a few pairs write in very often.
  const perPair = new Int32Array(pairs.length);
  for (let i = 0; i < options.tickets; i++) perPair[i < pairs.length ? i : Math.floor(pairs.length * random() ** 1.5)]! += 1;
  const pairsWithTickets = Math.min(pairs.length, options.tickets);
  // About one ticket in ten is active, always the latest of its pair.
  const activeShare = Math.min(1, (0.1 * options.tickets) / pairsWithTickets);
  const tickets: PlannedTicket[] = [];
  for (let pair = 0; pair < pairs.length; pair++) {
    const count = perPair[pair]!;
    if (count === 0) continue;
    const starts = Array.from({ length: count }, () => now - HISTORY + random() * (HISTORY - HOUR)).sort((a, b) => a - b);
    for (let k = 0; k < count; k++) {
      const latest = k === count - 1;
      const active = latest && random() < activeShare;
      const ticket = draftTicket(pairs[pair]!, pair, random, pick);
      // About one in two thousand is a long conversation of hundreds of messages over days (the first
      // ticket always is, so that even a small run has one).
      ticket.big = tickets.length === 0 || random() < 1 / 2000;
      const duration = ticket.big ? (2 + random() * 12) * DAY : MINUTE - Math.log(1 - random()) * 18 * HOUR;
      if (active) {
        // Active tickets are recent: mostly started within the last two days, all within ten.
        ticket.createdAt = Math.max(starts[k]!, now - (ticket.big ? duration : 10 * DAY * random() ** 2) - MINUTE);
        ticket.lastActivityAt = ticket.createdAt + (now - ticket.createdAt) * Math.sqrt(random());
        const r = random();
        ticket.status = r < 0.55 ? 'open' : r < 0.85 ? 'pending' : 'snoozed';
        if (ticket.status === 'snoozed') ticket.snoozedUntil = now + HOUR + random() * 4 * DAY;
        if (ticket.createdBy === 'customer' && random() < 0.4) ticket.assignee = -1;
      } else {
        // A closed ticket ends before the pair's next one starts.
        const gap = (latest ? now : starts[k + 1]!) - starts[k]!;
        ticket.createdAt = starts[k]!;
        ticket.lastActivityAt = ticket.createdAt + Math.min(duration, gap * 0.5);
        ticket.closedByRule = random() < 0.3;
        ticket.closedAt = Math.min(ticket.lastActivityAt + (ticket.closedByRule ? 3 * DAY : MINUTE + random() * DAY), ticket.createdAt + gap * 0.95);
        ticket.closedFrom = random() < 0.5 ? 'pending' : 'open';
      }
      ticket.createdAt = Math.round(ticket.createdAt);
      ticket.lastActivityAt = Math.max(ticket.createdAt, Math.round(ticket.lastActivityAt));
      if (ticket.closedAt !== null) ticket.closedAt = Math.max(ticket.lastActivityAt, Math.round(ticket.closedAt));
      if (ticket.snoozedUntil !== null) ticket.snoozedUntil = Math.round(ticket.snoozedUntil);
      tickets.push(ticket);
    }
  }
  tickets.sort((a, b) => a.createdAt - b.createdAt);
  tickets.forEach((ticket, index) => (ticket.index = index));
  return tickets;
}

function draftTicket(pair: { contact: number; channel: number }, pairIndex: number, random: () => number, pick: <T>(list: readonly T[]) => T): PlannedTicket {
  const p = random();
  const tagCount = random() < 0.25 ? 1 + Math.floor(random() ** 2 * 3) : 0;
  const tags = new Set<string>();
  while (tags.size < tagCount) tags.add(TAGS[Math.floor(TAGS.length * random() ** 2)]!);
  const createdBy = random() < 0.15 ? 'agent' : 'customer';
  // The first agent (the benchmark's caller) takes a bigger share, as a team lead would. An agent who
  // starts a ticket is its assignee.
  const agent = random() < 0.3 ? 0 : 1 + Math.floor(random() * (AGENT_COUNT - 1));
  const assignee = createdBy === 'agent' || random() < 0.7 ? agent : -1;
  return {
    index: 0,
    pair: pairIndex,
    contact: pair.contact,
    channel: pair.channel,
    status: 'closed',
    createdBy,
    assignee,
    priority: p < 0.1 ? 'low' : p < 0.9 ? 'normal' : p < 0.98 ? 'high' : 'urgent',
    subject: CHANNEL_KINDS[pair.channel] === 'email' ? pick(SUBJECTS) : null,
    tags: [...tags].sort(),
    big: false,
    createdAt: 0,
    lastActivityAt: 0,
    closedAt: null,
    closedByRule: false,
    closedFrom: 'open',
    snoozedUntil: null,
    firstMessage: 0,
    messageCount: 0,
    lastMessageDirection: null,
    lastInboundAt: null,
    lastOutboundAt: null,
    lastCustomerSentAt: null,
    firstResponseAt: null,
    preview: null,
  };
}

/**
 * Messages per ticket: the long conversations have hundreds, every other ticket 2 to 10 (fewer than 3
 * most often). The counts add up to exactly the requested total; times run from the ticket's creation
 * to its last activity.
 */
function planMessages(tickets: PlannedTicket[], contacts: PlannedContact[], pairs: Plan['pairs'], options: PlanOptions, random: () => number): Plan {
  const counts = new Int32Array(tickets.length);
  // The long conversations take at most a tenth of the messages beyond the first of each ticket.
  let bigBudget = Math.floor((options.messages - tickets.length) * 0.1);
  let bigTotal = 0;
  for (const ticket of tickets) {
    if (!ticket.big) continue;
    const count = Math.min(100 + Math.floor(random() ** 2 * 700), bigBudget);
    if (count < 20) {
      ticket.big = false;
      continue;
    }
    counts[ticket.index] = count;
    bigBudget -= count;
    bigTotal += count;
  }
  const typicalIndexes = tickets.filter((t) => !t.big).map((t) => t.index);
  const budget = options.messages - bigTotal;
  const mean = budget / Math.max(1, typicalIndexes.length);
  const low = Math.min(2, Math.floor(mean));
  const high = Math.max(10, Math.ceil(mean));
  // counts = low + floor((high - low + 1) * r^skew) has about this mean for this skew.
  const skew = Math.min(10, Math.max(0.1, (high - low + 1) / (mean - low + 0.5) - 1));
  let sum = 0;
  for (const t of typicalIndexes) {
    counts[t] = low + Math.floor((high - low + 1) * random() ** skew);
    sum += counts[t]!;
  }
  while (sum !== budget && typicalIndexes.length > 0) {
    const t = typicalIndexes[Math.floor(random() * typicalIndexes.length)]!;
    if (sum < budget && counts[t]! < high) {
      counts[t]! += 1;
      sum += 1;
    } else if (sum > budget && counts[t]! > low) {
      counts[t]! -= 1;
      sum -= 1;
    }
  }
  const total = bigTotal + sum;
  const messageTicket = new Int32Array(total);
  const messageTime = new Float64Array(total);
  const messageDirection = new Uint8Array(total);
  let slot = 0;
  for (const ticket of tickets) {
    const n = counts[ticket.index]!;
    ticket.firstMessage = slot;
    ticket.messageCount = n;
    const span = ticket.lastActivityAt - ticket.createdAt;
    const times = Array.from({ length: n }, (_, i) => (i === 0 ? ticket.createdAt : i === n - 1 ? ticket.lastActivityAt : ticket.createdAt + Math.round(random() * span))).sort((a, b) => a - b);
    let speaker = ticket.createdBy === 'customer' ? INBOUND : OUTBOUND;
    for (let i = 0; i < n; i++) {
      let direction = speaker;
      if (i > 0 && i < n - 1 && random() < 0.06) direction = NOTE;
      else if (i > 0 && random() < 0.7) direction = speaker = 1 - speaker;
      messageTicket[slot + i] = ticket.index;
      messageTime[slot + i] = times[i]!;
      messageDirection[slot + i] = direction;
    }
    // Open tickets wait on the team, pending ones on the customer.
    if (n > 1 && ticket.status === 'open') messageDirection[slot + n - 1] = INBOUND;
    if (n > 1 && ticket.status === 'pending') messageDirection[slot + n - 1] = OUTBOUND;
    slot += n;
  }
  return { contacts, pairs, tickets, messageTicket, messageTime, messageDirection };
}

/** The activity columns a ticket's messages leave behind, as recording each message would have set them. */
function deriveActivity(plan: Plan, ticket: PlannedTicket): void {
  for (let seq = 0; seq < ticket.messageCount; seq++) {
    const slot = ticket.firstMessage + seq;
    const at = plan.messageTime[slot]!;
    const direction = plan.messageDirection[slot]!;
    if (direction === NOTE) continue;
    if (direction === INBOUND) {
      ticket.lastInboundAt = at;
      ticket.lastCustomerSentAt = providerTimeOf(ticket, seq, at);
    } else {
      ticket.lastOutboundAt = at;
      ticket.firstResponseAt ??= at;
    }
    ticket.lastMessageDirection = direction === INBOUND ? 'inbound' : 'outbound';
    ticket.preview = previewOf(messageBody(plan, ticket, seq), '[text]');
  }
}
