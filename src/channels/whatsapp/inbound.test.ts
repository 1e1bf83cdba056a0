import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWhatsappPayload } from './inbound.js';

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../../test/fixtures/channels', name), 'utf8'));
const NOW = Date.UTC(2026, 10, 25);

function envelope(value: Record<string, unknown>) {
  return { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '200000000000002' }, ...value } }] }] };
}

const message = (fields: Record<string, unknown>) => envelope({ contacts: [{ wa_id: '15559990001', profile: { name: 'Ana' } }], messages: [{ from: '15559990001', id: `wamid.${Math.random()}`, timestamp: '1735689600', ...fields }] });

describe('reading WhatsApp webhooks', () => {
  it('a text message keeps its body, the sender\'s profile name and the provider time', () => {
    const [change] = readWhatsappPayload(fixture('whatsapp-text.json'), NOW);
    expect(change).toMatchObject({ phoneNumberId: '200000000000002', reactions: [], statuses: [], errors: [] });
    expect(change!.messages).toEqual([
      {
        providerMessageId: 'wamid.FAKE_INBOUND_TEXT_0001',
        sentAt: 1735689600_000,
        contact: { address: '15559990001', displayName: 'Test Customer', username: null },
        replyToProviderMessageId: null,
        kind: 'text',
        body: 'Hi, my order #A-1001 has not arrived yet. Café olé 👋',
        data: null,
      },
    ]);
  });

  it('an image is media with its caption, its media id to download, and the message it replies to', () => {
    const [change] = readWhatsappPayload(fixture('whatsapp-image.json'), NOW);
    expect(change!.messages[0]).toMatchObject({
      kind: 'media',
      body: 'This is the damaged box',
      replyToProviderMessageId: 'wamid.FAKE_OUTBOUND_AGENT_0042',
      attachments: [{ providerRef: '300000000000003', contentType: 'image/jpeg', caption: 'This is the damaged box', storageKey: null }],
      data: { mediaType: 'image' },
    });
  });

  it('delivery receipts come out in order with their errors', () => {
    const [read] = readWhatsappPayload(fixture('whatsapp-status-read.json'), NOW);
    expect(read!.statuses.map((s) => s.status)).toEqual(['delivered', 'read']);
    const [failed] = readWhatsappPayload(fixture('whatsapp-status-failed-131047.json'), NOW);
    expect(failed!.statuses).toEqual([
      {
        providerMessageId: 'wamid.FAKE_OUTBOUND_AGENT_0077',
        messageId: null,
        status: 'failed',
        at: 1735862400_000,
        error: { code: '131047', message: expect.stringContaining('Re-engagement message: Message failed to send because more than 24 hours') },
      },
    ]);
  });

  it('reads every message type of the reference', () => {
    const kinds = [
      message({ type: 'audio', audio: { id: 'm1', mime_type: 'audio/ogg', voice: true } }),
      message({ type: 'document', document: { id: 'm2', mime_type: 'application/pdf', filename: 'invoice.pdf' } }),
      message({ type: 'sticker', sticker: { id: 'm3', mime_type: 'image/webp', animated: true } }),
      message({ type: 'video', video: { id: 'm4', mime_type: 'video/mp4' } }),
      message({ type: 'location', location: { latitude: 38.7, longitude: -9.1, name: 'Office', address: 'Rua A' } }),
      message({ type: 'contacts', contacts: [{ name: { formatted_name: 'Jo Doe' }, phones: [{ phone: '+1555' }] }] }),
      message({ type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes please' } } }),
      message({ type: 'button', button: { payload: 'REOPEN_T-1', text: 'Reopen' }, context: { id: 'wamid.template' } }),
      message({ type: 'unsupported', unsupported: { type: 'poll_creation' }, errors: [{ code: 131051, title: 'Message type unknown' }] }),
      message({ type: 'order', order: { catalog_id: '1' } }),
    ].map((payload) => readWhatsappPayload(payload, NOW)[0]!.messages[0]!);
    expect(kinds.map((m) => [m.kind, m.body])).toEqual([
      ['media', null],
      ['media', null],
      ['media', null],
      ['media', null],
      ['location', 'Office, Rua A'],
      ['contacts', 'Jo Doe'],
      ['interactive', 'Yes please'],
      ['interactive', 'Reopen'],
      ['unsupported', null],
      ['unsupported', null],
    ]);
    expect(kinds[0]!.data).toMatchObject({ mediaType: 'audio', voice: true });
    expect(kinds[1]!.attachments![0]!.fileName).toBe('invoice.pdf');
    expect(kinds[4]!.data).toMatchObject({ latitude: 38.7, longitude: -9.1 });
    expect(kinds[7]).toMatchObject({ replyToProviderMessageId: 'wamid.template', data: { button: { payload: 'REOPEN_T-1' } } });
    expect(kinds[8]!.data).toMatchObject({ type: 'unsupported', unsupportedType: 'poll_creation', errors: [{ code: '131051' }] });
  });

  it('a reaction is attached to the message it reacts to; removing it has no emoji', () => {
    const added = readWhatsappPayload(message({ type: 'reaction', reaction: { message_id: 'wamid.target', emoji: '👍' } }), NOW)[0]!;
    expect(added.messages).toEqual([]);
    expect(added.reactions).toEqual([{ targetProviderMessageId: 'wamid.target', emoji: '👍', from: '15559990001', at: 1735689600_000 }]);
    const removed = readWhatsappPayload(message({ type: 'reaction', reaction: { message_id: 'wamid.target' } }), NOW)[0]!;
    expect(removed.reactions[0]!.emoji).toBeNull();
  });

  it('a message whose fields do not have the documented types is unreadable, with the reason, without failing the rest of its batch', () => {
    const payload = envelope({
      messages: [
        { from: '15559990001', id: 'wamid.bad', timestamp: '1735689600', type: 'image', image: {} },
        { from: '15559990001', id: 'wamid.garbled', timestamp: 'garbled', type: 'text', text: { body: 'no time' } },
        { from: '15559990001', id: 'wamid.good', timestamp: '1735689600', type: 'text', text: { body: 'still here' } },
        { id: 'wamid.nobody', timestamp: '1735689600', type: 'text', text: { body: 'no sender' } },
      ],
    });
    const [change] = readWhatsappPayload(payload, NOW);
    expect(change!.messages.map((m) => [m.providerMessageId, m.kind, m.sentAt])).toEqual([
      ['wamid.good', 'text', 1735689600_000],
    ]);
    expect(change!.unreadable).toEqual([
      { item: 'entry[0].changes[0].value.messages[0]', providerMessageId: 'wamid.bad', reason: expect.stringContaining('image.id') },
      { item: 'entry[0].changes[0].value.messages[1]', providerMessageId: 'wamid.garbled', reason: expect.stringContaining('timestamp') },
      { item: 'entry[0].changes[0].value.messages[3]', providerMessageId: 'wamid.nobody', reason: expect.stringContaining('neither `from` nor `from_user_id`') },
    ]);
  });

  it('a username-only customer without a phone number is read by BSUID, with username and parent BSUID', () => {
    const payload = envelope({
      contacts: [{ user_id: 'US.13491208655302741918', parent_user_id: 'US.ENT.11815799212886844830', profile: { name: 'Ana', username: 'ana.bakes' } }],
      messages: [{ from_user_id: 'US.13491208655302741918', id: 'wamid.username', timestamp: '1735689600', type: 'text', text: { body: 'hi' } }],
    });
    const [change] = readWhatsappPayload(payload, NOW);
    expect(change!.unreadable).toEqual([]);
    expect(change!.messages).toEqual([
      expect.objectContaining({
        providerMessageId: 'wamid.username',
        contact: { address: 'US.13491208655302741918', userId: 'US.13491208655302741918', parentUserId: 'US.ENT.11815799212886844830', displayName: 'Ana', username: 'ana.bakes' },
        body: 'hi',
      }),
    ]);
  });

  it('a message with phone and BSUID carries both; the BSUID may come from the contact alone, and a malformed one is ignored', () => {
    const both = readWhatsappPayload(message({ from_user_id: 'US.1', type: 'text', text: { body: 'both' } }), NOW)[0]!;
    expect(both.messages[0]!.contact).toMatchObject({ address: '15559990001', userId: 'US.1' });
    const fromContact = envelope({
      contacts: [{ wa_id: '15559990001', user_id: 'US.2', profile: { name: 'Ana' } }],
      messages: [{ from: '15559990001', id: 'wamid.c', timestamp: '1735689600', type: 'text', text: { body: 'x' } }],
    });
    expect(readWhatsappPayload(fromContact, NOW)[0]!.messages[0]!.contact).toMatchObject({ address: '15559990001', userId: 'US.2' });
    const malformed = readWhatsappPayload(message({ from_user_id: { id: 'US.3' }, type: 'text', text: { body: 'x' } }), NOW)[0]!;
    expect(malformed.unreadable).toEqual([]);
    expect(malformed.messages[0]!.contact).toEqual({ address: '15559990001', displayName: 'Ana', username: null });
  });

  it('a reaction and a receipt of a username-only customer are read without a phone number', () => {
    const reaction = envelope({ messages: [{ from_user_id: 'US.4', id: 'wamid.r', timestamp: '1735689600', type: 'reaction', reaction: { message_id: 'wamid.target', emoji: '👍' } }] });
    expect(readWhatsappPayload(reaction, NOW)[0]!.reactions).toEqual([{ targetProviderMessageId: 'wamid.target', emoji: '👍', from: 'US.4', at: 1735689600_000 }]);
    const receipt = envelope({ statuses: [{ id: 'wamid.out', status: 'delivered', timestamp: '1735689600', recipient_user_id: 'US.4' }] });
    expect(readWhatsappPayload(receipt, NOW)[0]!.statuses).toEqual([{ providerMessageId: 'wamid.out', messageId: null, status: 'delivered', at: 1735689600_000, error: null }]);
  });

  it('batches: several entries, changes, messages and statuses are all read; other fields and shapes are ignored', () => {
    const one = message({ type: 'text', text: { body: 'one' } });
    const two = fixture('whatsapp-status-read.json');
    const batch = { object: 'whatsapp_business_account', entry: [...one.entry, ...two.entry, { id: '2', changes: [{ field: 'account_update', value: {} }] }] };
    const changes = readWhatsappPayload(batch, NOW);
    expect(changes.map((c) => [c.messages.length, c.statuses.length])).toEqual([[1, 0], [0, 2]]);
    expect(readWhatsappPayload({ nothing: true }, NOW)).toEqual([]);
    expect(readWhatsappPayload(null, NOW)).toEqual([]);
  });
});
