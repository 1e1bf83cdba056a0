// Files sent with replies, notes and "+ New" over real HTTP on both engines: an image reply reaches the
// (fake) Graph API as an image message, email carries the files, a message may be files alone, and every
// refusal (unknown file, another workspace's, one already sent, too many, with a template) changes nothing.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '../../src/channels/email/outgoing-mail.js';
import { sandboxSender } from '../../src/channels/sandbox-sender.js';
import { startFakeGraph, type FakeGraph } from '../../src/channels/whatsapp/fake-graph/index.js';
import { whatsappSender } from '../../src/channels/whatsapp/sender.js';
import type { ChannelRow, Database } from '../../src/db/schema.js';
import { DAY } from '../../src/domain/clock.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { pruneUnsentUploads } from '../../src/modules/attachments/prune-unsent-uploads.js';
import { emailSender } from '../../src/channels/email/sender.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { deliverDueMessages } from '../../src/modules/outbox/deliver-messages.js';
import { senderPorts } from '../../src/modules/outbox/sender-ports.js';
import { useApi, type ApiContext } from '../support/api.js';
import { stored } from '../support/assertions.js';
import { buildWorld, inbound, newAddress, type World } from '../support/factories.js';
import { countRows, messageRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { ACCESS_TOKEN, connectWhatsapp, PHONE_NUMBER_ID } from '../support/whatsapp.js';

/** PNG bytes the upload's type check recognises. */
function png(): Buffer {
  const head = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 16, 0, 0, 0, 16, 8, 6, 0, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([head, Buffer.from([0, 0, 0, 64]), Buffer.from('IDAT', 'latin1'), randomBytes(64)]);
}

const pdf = () => Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function upload(api: ApiContext, cookie: string, file: { bytes: Buffer; type: string; name: string }): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const response = await fetch(`${api.url}/api/attachments`, { method: 'POST', body: form, headers: { cookie, origin: api.url } });
  const body = (await response.json()) as { attachment: { id: string } };
  expect(response.status).toBe(201);
  return body.attachment.id;
}

const TABLES: (keyof Database)[] = ['tickets', 'messages', 'outbox', 'ticket_events', 'contacts', 'contact_identities'];

describe.each(ENGINES)('files sent with messages (%s)', (engine) => {
  const api = useApi(engine);
  let fake: FakeGraph;

  beforeEach(async () => {
    fake = await startFakeGraph({ phoneNumbers: [{ phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN }], now: () => api.world.clock.now() });
  });
  afterEach(async () => {
    await fake.close();
  });

  const storage = () => new LocalDiskAttachmentStorage(api.attachmentsDir);
  const counts = async () => Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await countRows(api.db.store, t)])));
  const claimed = async (id: string) => (await api.db.store.db.selectFrom('attachments').select('message_id').where('id', '=', id).executeTakeFirstOrThrow()).message_id;

  async function agent(world: World = api.world) {
    return api.signIn((await api.addUser('agent', world)).email);
  }

  async function customerWrote(channel: ChannelRow) {
    const address = newAddress('whatsapp');
    const sentAt = api.world.clock.hoursAgo(1);
    const result = stored(await ingestInbound(api.world.deps, inbound(channel, api.world.clock, { address, sentAt })));
    fake.customerWrote(PHONE_NUMBER_ID, address, sentAt);
    return result.ticketId;
  }

  it('a reply with an image reaches the Graph API as an image message with the text as its caption', async () => {
    const ticketId = await customerWrote(await connectWhatsapp(api, { graphBaseUrl: fake.url, sendRatePerSecond: 1000 }));
    const cookie = await agent();
    const image = png();
    const fileId = await upload(api, cookie, { bytes: image, type: 'image/png', name: 'label.png' });

    const reply = await api.call('POST', `/api/tickets/${ticketId}/replies`, { cookie, body: { message: { kind: 'text', body: 'Here is your label' }, attachmentIds: [fileId] } });
    expect(reply.status).toBe(201);
    expect(reply.body.message).toMatchObject({ kind: 'media', status: 'queued' });
    expect(await claimed(fileId)).toBe(reply.body.message.id);
    const detail = await api.call('GET', `/api/tickets/${ticketId}`, { cookie });
    expect(detail.body.messages.at(-1)).toMatchObject({ body: 'Here is your label', attachments: [{ attachmentId: fileId, fileName: 'label.png', contentType: 'image/png', size: image.length }] });

    const senders = { byKind: { whatsapp: whatsappSender({ readAttachment: (key) => storage().get(key), timeoutMs: 2_000 }) }, sandbox: sandboxSender };
    await deliverDueMessages(api.world.deps, senders);
    expect(fake.uploads).toHaveLength(1);
    expect(Buffer.compare(fake.mediaOf(fake.uploads[0]!.id)!.bytes, image)).toBe(0);
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]!.body).toMatchObject({ type: 'image', image: { id: fake.uploads[0]!.id, caption: 'Here is your label' } });
    expect(await messageRow(api.db.store, reply.body.message.id)).toMatchObject({ status: 'sent', provider_message_id: fake.sent[0]!.wamid });
  });

  it('"+ New" by email with files alone sends a mail carrying them; a note may be a file alone', async () => {
    const cookie = await agent();
    const email = api.world.channels.email;
    await api.db.store.db.updateTable('channels').set({ config: JSON.stringify({ smtp: { host: '127.0.0.1', port: 2525, secure: false } }) }).where('id', '=', email.id).execute();
    const document = pdf();
    const fileId = await upload(api, cookie, { bytes: document, type: 'application/pdf', name: 'invoice.pdf' });

    const started = await api.call('POST', '/api/tickets', { cookie, body: { channelId: email.id, contact: { address: 'jane@example.com' }, message: { kind: 'text', subject: 'Your invoice' }, attachmentIds: [fileId] } });
    expect(started.status).toBe(201);
    expect(started.body.message.kind).toBe('media');
    expect(started.body.ticket.lastMessagePreview).toBe('[invoice.pdf]');

    const mails: OutgoingEmail[] = [];
    const transport = async (_settings: unknown, mail: OutgoingEmail) => {
      mails.push(mail);
      return { ok: true as const, providerMessageId: mail.messageId };
    };
    await deliverDueMessages(api.world.deps, { byKind: { email: emailSender(senderPorts(api.world.deps, storage()), transport) }, sandbox: sandboxSender });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.attachments).toEqual([{ fileName: 'invoice.pdf', contentType: 'application/pdf', content: document }]);

    const noteFile = await upload(api, cookie, { bytes: png(), type: 'image/png', name: 'screenshot.png' });
    const note = await api.call('POST', `/api/tickets/${started.body.ticket.id}/notes`, { cookie, body: { attachmentIds: [noteFile] } });
    expect(note.status).toBe(201);
    const detail = await api.call('GET', `/api/tickets/${started.body.ticket.id}`, { cookie });
    expect(detail.body.messages.at(-1)).toMatchObject({ kind: 'note', body: null, attachments: [{ attachmentId: noteFile, fileName: 'screenshot.png' }] });
  });

  it('refuses an unknown file or another workspace\'s (404 ATTACHMENT_NOT_FOUND), one already sent (409 ATTACHMENT_IN_USE), more than 10, files with a template, and an empty message, changing nothing', async () => {
    const cookie = await agent();
    const ticketId = stored(await ingestInbound(api.world.deps, inbound(api.world.channels.email, api.world.clock))).ticketId;
    const used = await upload(api, cookie, { bytes: pdf(), type: 'application/pdf', name: 'first.pdf' });
    expect((await api.call('POST', `/api/tickets/${ticketId}/replies`, { cookie, body: { message: { kind: 'text', body: 'One' }, attachmentIds: [used] } })).status).toBe(201);
    const otherWorld = await buildWorld(api.db.store);
    const theirs = await upload(api, await agent(otherWorld), { bytes: pdf(), type: 'application/pdf', name: 'theirs.pdf' });
    const fresh = await upload(api, cookie, { bytes: pdf(), type: 'application/pdf', name: 'fresh.pdf' });
    const before = await counts();
    const ticketBefore = (await api.call('GET', `/api/tickets/${ticketId}`, { cookie })).body.ticket;

    const reply = (body: unknown) => api.call('POST', `/api/tickets/${ticketId}/replies`, { cookie, body });
    const note = (body: unknown) => api.call('POST', `/api/tickets/${ticketId}/notes`, { cookie, body });
    const start = (body: Record<string, unknown>) => api.call('POST', '/api/tickets', { cookie, body: { channelId: api.world.channels.email.id, contact: { address: 'new@example.com' }, message: { kind: 'text', body: 'Hi' }, ...body } });
    const text = { kind: 'text', body: 'With files' };

    for (const [response, status, code] of [
      [await reply({ message: text, attachmentIds: [fresh, 'no-such-file'] }), 404, 'ATTACHMENT_NOT_FOUND'],
      [await reply({ message: text, attachmentIds: [theirs] }), 404, 'ATTACHMENT_NOT_FOUND'],
      [await note({ body: 'Note', attachmentIds: [theirs] }), 404, 'ATTACHMENT_NOT_FOUND'],
      [await start({ attachmentIds: [theirs] }), 404, 'ATTACHMENT_NOT_FOUND'],
      [await reply({ message: text, attachmentIds: [fresh, used] }), 409, 'ATTACHMENT_IN_USE'],
      [await note({ attachmentIds: [used] }), 409, 'ATTACHMENT_IN_USE'],
      [await start({ attachmentIds: [used] }), 409, 'ATTACHMENT_IN_USE'],
      [await reply({ message: text, attachmentIds: Array.from({ length: 11 }, () => fresh) }), 400, 'VALIDATION_FAILED'],
      [await reply({ message: { kind: 'template', template: { name: 'any', language: 'en_US', parameters: {} } }, attachmentIds: [fresh] }), 400, 'VALIDATION_FAILED'],
      [await reply({ message: { kind: 'text', body: '  ' } }), 400, 'VALIDATION_FAILED'],
      [await note({ body: '' }), 400, 'VALIDATION_FAILED'],
    ] as const) {
      expect({ status: response.status, code: response.body.error?.code }).toEqual({ status, code });
    }
    expect((await reply({ message: text, attachmentIds: [used] })).body.error.message).toBe('"first.pdf" was already sent with another message; upload it again to send it once more.');
    expect(await counts()).toEqual(before);
    expect(await claimed(fresh)).toBeNull();
    expect((await api.call('GET', `/api/tickets/${ticketId}`, { cookie })).body.ticket).toEqual(ticketBefore);
  });

  it("refuses before queuing what a channel cannot send: two files in one WhatsApp message, an uploaded file on Instagram; notes keep them", async () => {
    const cookie = await agent();
    const whatsappTicket = stored(await ingestInbound(api.world.deps, inbound(api.world.channels.whatsapp, api.world.clock))).ticketId;
    const instagramTicket = stored(await ingestInbound(api.world.deps, inbound(api.world.channels.instagram, api.world.clock))).ticketId;
    const first = await upload(api, cookie, { bytes: png(), type: 'image/png', name: 'front.png' });
    const second = await upload(api, cookie, { bytes: png(), type: 'image/png', name: 'back.png' });
    const before = await counts();

    const twoOnWhatsapp = await api.call('POST', `/api/tickets/${whatsappTicket}/replies`, { cookie, body: { message: { kind: 'text', body: 'Both sides' }, attachmentIds: [first, second] } });
    expect({ status: twoOnWhatsapp.status, code: twoOnWhatsapp.body.error?.code }).toEqual({ status: 422, code: 'WHATSAPP_ONE_FILE_PER_MESSAGE' });
    const onInstagram = await api.call('POST', `/api/tickets/${instagramTicket}/replies`, { cookie, body: { message: { kind: 'text', body: '' }, attachmentIds: [first] } });
    expect({ status: onInstagram.status, code: onInstagram.body.error?.code }).toEqual({ status: 422, code: 'INSTAGRAM_MEDIA_NEEDS_LINK' });
    expect(await counts()).toEqual(before);
    expect([await claimed(first), await claimed(second)]).toEqual([null, null]);

    const note = await api.call('POST', `/api/tickets/${instagramTicket}/notes`, { cookie, body: { body: 'Photos the customer mailed us', attachmentIds: [first, second] } });
    expect(note.status).toBe(201);
  });

  it('uploads never sent are deleted a day later, row and bytes; sent and recent ones stay, and a pruned one cannot be sent', async () => {
    const cookie = await agent();
    const ticketId = stored(await ingestInbound(api.world.deps, inbound(api.world.channels.email, api.world.clock))).ticketId;
    const [sent, abandoned, recent] = [await upload(api, cookie, { bytes: pdf(), type: 'application/pdf', name: 'sent.pdf' }), await upload(api, cookie, { bytes: pdf(), type: 'application/pdf', name: 'abandoned.pdf' }), await upload(api, cookie, { bytes: pdf(), type: 'application/pdf', name: 'recent.pdf' })];
    expect((await api.call('POST', `/api/tickets/${ticketId}/replies`, { cookie, body: { message: { kind: 'text', body: 'Attached' }, attachmentIds: [sent] } })).status).toBe(201);
    const twoDaysAgo = api.world.clock.now() - 2 * DAY;
    await api.db.store.db.updateTable('attachments').set({ created_at: twoDaysAgo }).where('id', 'in', [sent, abandoned]).execute();
    const keyOf = async (id: string) => (await api.db.store.db.selectFrom('attachments').select('storage_key').where('id', '=', id).executeTakeFirstOrThrow()).storage_key;
    const abandonedFile = storage().pathOf(await keyOf(abandoned));
    expect(fs.existsSync(abandonedFile)).toBe(true);

    expect(await pruneUnsentUploads(api.world.deps, storage(), api.world.clock.now())).toBe(1);
    const left = await api.db.store.db.selectFrom('attachments').select('id').where('id', 'in', [sent, abandoned, recent]).execute();
    expect(left.map((r) => r.id).sort()).toEqual([sent, recent].sort());
    expect(fs.existsSync(abandonedFile)).toBe(false);
    expect(fs.existsSync(storage().pathOf(await keyOf(sent)))).toBe(true);
    const late = await api.call('POST', `/api/tickets/${ticketId}/replies`, { cookie, body: { message: { kind: 'text', body: 'Forgot this' }, attachmentIds: [abandoned] } });
    expect({ status: late.status, code: late.body.error?.code }).toEqual({ status: 404, code: 'ATTACHMENT_NOT_FOUND' });
  });
});
