// The HTTP mail intake: an admin (or an admin's API token) posts a raw message to an email channel; it is
// stored before the answer and read into a ticket by the inbound job. "+ New" by email needs an address.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { inboundHandlers } from '../../src/modules/inbound/handlers.js';
import { InboundProcessor } from '../../src/modules/inbound/process-inbound.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { insertWorkspace } from '../../src/modules/workspaces/workspace.repo.js';
import { insertContact } from '../../src/modules/contacts/contact.repo.js';
import { useApi } from '../support/api.js';
import { fixtureMail, rawMail } from '../support/email.js';
import { countRows } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';

const logger = createLogger('silent');

describe.each(ENGINES)('delivering raw email by HTTP (%s)', (engine) => {
  const api = useApi(engine);

  const post = (channelId: string, body: Buffer | string, options: { cookie?: string; token?: string; type?: string } = {}) =>
    api.call('POST', `/api/channels/${channelId}/email/inbound`, { cookie: options.cookie, token: options.token, body: typeof body === 'string' ? body : body.toString('latin1'), headers: { 'content-type': options.type ?? 'message/rfc822' } });

  it('an admin posts a raw mail; it is stored at once and becomes a ticket when processed', async () => {
    const admin = await api.signIn((await api.addUser('admin')).email);
    const channel = api.world.channels.email;
    const response = await post(channel.id, fixtureMail('email-reply.eml'), { cookie: admin });
    expect(response.status).toBe(202);
    const payload = await api.db.store.db.selectFrom('inbound_payloads').selectAll().where('id', '=', response.body.received.id).executeTakeFirstOrThrow();
    expect(payload).toMatchObject({ source: 'email-http', channel_id: channel.id, processed_at: null });
    expect(Buffer.compare(payload.raw, fixtureMail('email-reply.eml'))).toBe(0);
    expect(await new InboundProcessor(api.world.deps, inboundHandlers(logger, new LocalDiskAttachmentStorage(api.attachmentsDir)), logger).run()).toBe(1);
    const list = await api.call('GET', '/api/tickets', { cookie: admin });
    expect(list.body.tickets).toMatchObject([{ subject: 'Re: [#T-123] Order A-1001 not delivered', channelId: channel.id }]);
  });

  it('anonymous callers get 401 and agents 403, and nothing is stored', async () => {
    const agent = await api.signIn((await api.addUser('agent')).email);
    const raw = rawMail({ from: 'jane@example.com', to: api.world.channels.email.external_id });
    expect((await post(api.world.channels.email.id, raw)).status).toBe(401);
    const refused = await post(api.world.channels.email.id, raw, { cookie: agent });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(0);
  });

  it("another workspace's channel answers 404", async () => {
    const admin = await api.signIn((await api.addUser('admin')).email);
    const other = await insertWorkspace(api.db.store.db, 'Other', api.world.clock.now());
    const theirs = await insertChannel(api.db.store.db, { workspaceId: other.id, kind: 'email', name: 'Theirs', externalId: 'theirs@other.example' }, api.world.clock.now());
    const response = await post(theirs.id, rawMail({ from: 'jane@example.com', to: 'theirs@other.example' }), { cookie: admin });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(0);
  });

  it('a body that is not a mail, or a channel that is not email, is refused with 400 and nothing is stored', async () => {
    const admin = await api.signIn((await api.addUser('admin')).email);
    for (const [channelId, body] of [
      [api.world.channels.email.id, ''],
      [api.world.channels.email.id, '<html>not a mail</html>'],
      [api.world.channels.whatsapp.id, rawMail({ from: 'jane@example.com', to: 'x@y.example' }).toString()],
    ] as const) {
      const response = await post(channelId, body, { cookie: admin });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    const json = await api.call('POST', `/api/channels/${api.world.channels.email.id}/email/inbound`, { cookie: admin, body: { raw: 'x' } });
    expect(json.status).toBe(400);
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(0);
  });

  it('a mail in mbox form (a leading "From " line) or with a stray line before its headers is stored as sent and becomes a ticket message', async () => {
    const admin = await api.signIn((await api.addUser('admin')).email);
    const channel = api.world.channels.email;
    const mbox = fixtureMail('email-mbox-from-line.eml');
    const stray = Buffer.from(`>>> relayed by forwarder 7\r\n${rawMail({ from: 'Ana Lima <ana@example.com>', to: channel.external_id, subject: 'After a stray line', body: 'Hello from Ana' }).toString('latin1')}`, 'latin1');
    for (const raw of [mbox, stray]) {
      const response = await post(channel.id, raw, { cookie: admin });
      expect(response.status).toBe(202);
      const payload = await api.db.store.db.selectFrom('inbound_payloads').select('raw').where('id', '=', response.body.received.id).executeTakeFirstOrThrow();
      expect(Buffer.compare(payload.raw, raw)).toBe(0);
    }
    expect(await new InboundProcessor(api.world.deps, inboundHandlers(logger, new LocalDiskAttachmentStorage(api.attachmentsDir)), logger).run()).toBe(2);
    const messages = await api.db.store.db
      .selectFrom('messages')
      .innerJoin('tickets', 'tickets.id', 'messages.ticket_id')
      .innerJoin('contact_identities', 'contact_identities.contact_id', 'tickets.contact_id')
      .select(['tickets.subject', 'messages.body', 'contact_identities.address', 'contact_identities.display_name'])
      .orderBy('tickets.subject')
      .execute();
    expect(messages).toEqual([
      { subject: 'After a stray line', body: 'Hello from Ana', address: 'ana@example.com', display_name: 'Ana Lima' },
      { subject: 'Exported from my mail archive', body: 'Hello, this mail was saved in mbox form.\n\nJane', address: 'jane.customer@example.com', display_name: 'Jane Customer' },
    ]);
  });

  it('a body with an mbox "From " line but no header after it is still refused with 400', async () => {
    const admin = await api.signIn((await api.addUser('admin')).email);
    for (const body of ['From jane@example.com Thu Nov 26 10:00:00 2026\r\n\r\nJust text, no headers.\r\n', 'Dear support,\r\nmy order is late.\r\n']) {
      const response = await post(api.world.channels.email.id, body, { cookie: admin });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(0);
  });

  it('"+ New" on email to a contact without an email address is refused with CONTACT_HAS_NO_EMAIL, and nothing is created', async () => {
    const agent = await api.signIn((await api.addUser('agent')).email);
    const contact = await insertContact(api.db.store.db, api.world.workspaceId, 'No Mail', api.world.clock.now());
    const response = await api.call('POST', '/api/tickets', { cookie: agent, body: { channelId: api.world.channels.email.id, contact: { contactId: contact.id }, message: { kind: 'text', body: 'Hello', subject: 'Hi' } } });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('CONTACT_HAS_NO_EMAIL');
    expect(await countRows(api.db.store, 'tickets')).toBe(0);
    expect(await countRows(api.db.store, 'messages')).toBe(0);
  });
});
