// Threading a customer's mail by sender (the default) or by conversation (an email channel's choice), and
// an agent's "split into a new ticket". One active ticket per customer and channel holds in every case.
import { beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { inboundHandlers } from '../../src/modules/inbound/handlers.js';
import { InboundProcessor } from '../../src/modules/inbound/process-inbound.js';
import { insertWorkspace } from '../../src/modules/workspaces/workspace.repo.js';
import { useApi } from '../support/api.js';
import { rawMail, type MailParts } from '../support/email.js';
import { ENGINES } from '../support/stores.js';

const logger = createLogger('silent');
const CUSTOMER = 'Ana Lima <ana@customer.example>';

describe.each(ENGINES)('threading mail by sender or by conversation (%s)', (engine) => {
  const api = useApi(engine);
  let admin = '';

  beforeEach(async () => {
    admin = await api.signIn((await api.addUser('admin')).email);
  });

  /** Delivers a mail from the customer through the HTTP intake and reads it as the inbound job does. */
  async function receive(parts: Partial<MailParts>): Promise<void> {
    const channel = api.world.channels.email;
    const raw = rawMail({ from: CUSTOMER, to: channel.external_id, ...parts });
    const response = await api.call('POST', `/api/channels/${channel.id}/email/inbound`, { cookie: admin, body: raw.toString('latin1'), headers: { 'content-type': 'message/rfc822' } });
    expect(response.status).toBe(202);
    await new InboundProcessor(api.world.deps, inboundHandlers(logger, new LocalDiskAttachmentStorage(api.attachmentsDir)), logger).run();
  }

  const threadBy = async (mode: 'sender' | 'conversation') => {
    const response = await api.call('PATCH', `/api/channels/${api.world.channels.email.id}`, { cookie: admin, body: { settings: { threading: mode } } });
    expect(response.status).toBe(200);
  };

  /** The email channel's tickets, oldest first, with their messages' bodies. */
  async function tickets(): Promise<{ id: string; number: number; status: string; subject: string | null; closeReason: string | null; previousTicket: { id: string } | null; lastMessagePreview: string | null; bodies: string[] }[]> {
    const list = await api.call('GET', `/api/tickets?status=open,pending,resolved,snoozed,closed&channelId=${api.world.channels.email.id}`, { cookie: admin });
    const rows = [...(list.body.tickets as { id: string; createdAt: number; number: number }[])].sort((a, b) => a.number - b.number);
    return Promise.all(
      rows.map(async (row) => {
        const detail = await api.call('GET', `/api/tickets/${row.id}`, { cookie: admin });
        return { ...detail.body.ticket, bodies: (detail.body.messages as { body: string | null; direction: string }[]).filter((m) => m.direction !== 'internal').map((m) => m.body ?? '') };
      }),
    );
  }

  it('by sender (the default), mails on unrelated subjects from one address share the active ticket', async () => {
    await receive({ subject: 'Order 5521 not delivered', body: 'Where is my order?' });
    await receive({ subject: 'Complaint about the courier', body: 'The courier was rude.' });
    const [only, ...rest] = await tickets();
    expect(rest).toEqual([]);
    expect(only!.bodies).toEqual(['Where is my order?', 'The courier was rude.']);
  });

  it('by conversation, a new subject opens a ticket of its own, and the active one is closed and continued', async () => {
    await threadBy('conversation');
    await receive({ subject: 'Order 5521 not delivered', body: 'Where is my order?' });
    await receive({ subject: 'RE: Order 5521 not delivered', body: 'Any news?' });
    await receive({ subject: 'Complaint about the courier', body: 'The courier was rude.' });
    const [first, second, ...rest] = await tickets();
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ status: 'closed', closeReason: 'new_conversation', bodies: ['Where is my order?', 'Any news?'] });
    expect(second).toMatchObject({ status: 'open', subject: 'Complaint about the courier', previousTicket: { id: first!.id }, bodies: ['The courier was rude.'] });
  });

  it('by conversation, a mail answering a message of the active ticket stays there whatever its subject', async () => {
    await threadBy('conversation');
    await receive({ subject: 'Order 5521 not delivered', body: 'Where is my order?', messageId: '<first@customer.example>' });
    await receive({ subject: 'One more thing', body: 'Also the invoice.', inReplyTo: '<first@customer.example>' });
    const [only, ...rest] = await tickets();
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ status: 'open', bodies: ['Where is my order?', 'Also the invoice.'] });
  });

  it('by conversation, an auto-reply on another subject never closes the active ticket', async () => {
    await threadBy('conversation');
    await receive({ subject: 'Order 5521 not delivered', body: 'Where is my order?' });
    await receive({ subject: 'Out of office', body: 'I am away until Monday.', headers: { 'Auto-Submitted': 'auto-replied' } });
    const [only, ...rest] = await tickets();
    expect(rest).toEqual([]);
    expect(only!.status).not.toBe('closed');
  });

  it('an agent splits a ticket at a message: it and the later ones move to a new ticket that continues the closed one', async () => {
    await receive({ subject: 'Order 5521 not delivered', body: 'Where is my order?' });
    const [ticket] = await tickets();
    expect((await api.call('POST', `/api/tickets/${ticket!.id}/replies`, { cookie: admin, body: { message: { kind: 'text', body: 'Checking with the courier.' } } })).status).toBe(201);
    await receive({ subject: 'Complaint about the courier', body: 'The courier was rude.' });
    await receive({ subject: 'Complaint about the courier', body: 'And late.' });
    const detail = await api.call('GET', `/api/tickets/${ticket!.id}`, { cookie: admin });
    const complaint = (detail.body.messages as { id: string; body: string }[]).find((m) => m.body === 'The courier was rude.')!;

    const split = await api.call('POST', `/api/tickets/${ticket!.id}/split`, { cookie: admin, body: { messageId: complaint.id } });
    expect(split.status).toBe(201);
    expect(split.body.ticket).toMatchObject({ status: 'open', subject: 'Complaint about the courier', previousTicket: { id: ticket!.id }, lastMessagePreview: 'And late.', lastMessageDirection: 'inbound' });
    expect(split.body.previousTicket).toMatchObject({ id: ticket!.id, status: 'closed', closeReason: 'split', lastMessagePreview: 'Checking with the courier.', lastMessageDirection: 'outbound' });
    const [before, after] = await tickets();
    expect(before!.bodies).toEqual(['Where is my order?', 'Checking with the courier.']);
    expect(after!.bodies).toEqual(['The courier was rude.', 'And late.']);

    // The customer's next mail joins the new ticket, the active one.
    await receive({ subject: 'Complaint about the courier', body: 'Any answer?' });
    expect((await tickets())[1]!.bodies).toEqual(['The courier was rude.', 'And late.', 'Any answer?']);
  });

  it('refuses to split at the first message, a closed ticket, a message of another ticket, or another workspace\'s ticket', async () => {
    await receive({ subject: 'Order 5521 not delivered', body: 'Where is my order?' });
    await receive({ subject: 'Order 5521 not delivered', body: 'Any news?' });
    const [ticket] = await tickets();
    const detail = await api.call('GET', `/api/tickets/${ticket!.id}`, { cookie: admin });
    const [first, second] = detail.body.messages as { id: string }[];

    const atFirst = await api.call('POST', `/api/tickets/${ticket!.id}/split`, { cookie: admin, body: { messageId: first!.id } });
    expect(atFirst.status).toBe(409);
    expect(atFirst.body.error.code).toBe('NOTHING_TO_SPLIT');
    const unknown = await api.call('POST', `/api/tickets/${ticket!.id}/split`, { cookie: admin, body: { messageId: 'not-a-message' } });
    expect(unknown.status).toBe(404);

    const other = await insertWorkspace(api.db.store.db, 'Other', api.world.clock.now());
    const outsider = await api.signIn((await api.addUser('admin', { ...api.world, workspaceId: other.id })).email);
    expect((await api.call('POST', `/api/tickets/${ticket!.id}/split`, { cookie: outsider, body: { messageId: second!.id } })).status).toBe(404);

    expect((await api.call('POST', `/api/tickets/${ticket!.id}/close`, { cookie: admin, body: {} })).status).toBe(200);
    const closed = await api.call('POST', `/api/tickets/${ticket!.id}/split`, { cookie: admin, body: { messageId: second!.id } });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('TICKET_CLOSED');
    expect((await tickets()).map((t) => t.bodies)).toEqual([['Where is my order?', 'Any news?']]);
  });
});
