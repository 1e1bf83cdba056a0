import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { instagramAccountsOf, readInstagramPayload } from './inbound.js';

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../../test/fixtures/channels', name), 'utf8'));
const RECEIVED = 1_800_000_000_000;
const ACCOUNT = '17841400000000001';
const event = (e: Record<string, unknown>) => ({ object: 'instagram', entry: [{ id: ACCOUNT, time: 1, messaging: [{ sender: { id: '9001' }, recipient: { id: ACCOUNT }, timestamp: 1735689600000, ...e }] }] });

describe('reading Instagram webhooks', () => {
  it('the DM fixture gives two customer messages with ms timestamps, a reply-to and an image to download', () => {
    const [entry] = readInstagramPayload(fixture('instagram-dm.json'), RECEIVED);
    expect(instagramAccountsOf(fixture('instagram-dm.json'))).toEqual([ACCOUNT]);
    expect(entry!.messages).toEqual([
      expect.objectContaining({ kind: 'text', sentAt: 1735689599876, contact: { address: '9000000000000001' }, replyToProviderMessageId: 'aWdfZAG1faXRlbToxOkZBS0VfQUdFTlRfTVNHXzAwMDA' }),
      expect.objectContaining({ kind: 'media', body: null, attachments: [expect.objectContaining({ providerRef: expect.stringMatching(/^https:\/\/lookaside/), contentType: null })] }),
    ]);
  });

  it('the echo fixture is the brand\'s message to the recipient, not a customer message', () => {
    const [entry] = readInstagramPayload(fixture('instagram-echo.json'), RECEIVED);
    expect(entry!.messages).toEqual([]);
    expect(entry!.echoes).toEqual([expect.objectContaining({ to: '9000000000000001', body: 'Yes, we have it in sizes M and L.', sentAt: 1735689700111 })]);
  });

  it('the comment fixture is a comment message that opens no DM window, its seconds time scaled to ms', () => {
    const [entry] = readInstagramPayload(fixture('instagram-comment.json'), RECEIVED);
    expect(entry!.messages).toEqual([
      expect.objectContaining({ kind: 'comment', providerMessageId: '18000000000000004', sentAt: 1735689800_000, opensReplyWindow: false, contact: { address: '9000000000000002', username: 'fake_commenter' } }),
    ]);
  });

  it("the account's own answer under a customer's comment is the brand's message, not a customer's", () => {
    const body = fixture('instagram-comment.json');
    body.entry[0].changes[0].value.from.id = ACCOUNT;
    body.entry[0].changes[0].value.parent_id = '18000000000000003';
    const [entry] = readInstagramPayload(body, RECEIVED);
    expect(entry!.messages).toEqual([]);
    expect(entry!.echoes).toEqual([expect.objectContaining({ providerMessageId: '18000000000000004', to: null, answers: '18000000000000003', kind: 'comment' })]);
  });

  it("the account's own comment that answers nobody (a caption-like note on its post) is left out", () => {
    const body = fixture('instagram-comment.json');
    body.entry[0].changes[0].value.from.id = ACCOUNT;
    delete body.entry[0].changes[0].value.parent_id;
    const [entry] = readInstagramPayload(body, RECEIVED);
    expect([...entry!.messages, ...entry!.echoes]).toEqual([]);
  });

  it('a read with only a watermark is a read up to that time', () => {
    const [entry] = readInstagramPayload(event({ read: { watermark: 1735689900000 } }), RECEIVED);
    expect(entry!.reads).toEqual([expect.objectContaining({ providerMessageId: null, watermark: 1735689900000, from: '9001' })]);
  });

  it.each([
    ['a reaction', { reaction: { mid: 'm1', action: 'react', reaction: 'love' } }, 'reactions', { targetProviderMessageId: 'm1', emoji: '❤️', from: '9001' }],
    ['an unreact', { reaction: { mid: 'm1', action: 'unreact' } }, 'reactions', { targetProviderMessageId: 'm1', emoji: null }],
    ['a read', { read: { mid: 'm2' } }, 'reads', { providerMessageId: 'm2', from: '9001' }],
    ['an unsend', { message: { mid: 'm3', is_deleted: true } }, 'unsends', { providerMessageId: 'm3', from: '9001' }],
  ])('%s is an update, not a message', (_label, e, list, expected) => {
    const [entry] = readInstagramPayload(event(e), RECEIVED);
    expect(entry!.messages).toEqual([]);
    expect(entry![list as 'reactions']).toEqual([expect.objectContaining(expected)]);
  });

  it('a message without text or a usable file is unsupported; events without ids are unreadable, not stored', () => {
    const [entry] = readInstagramPayload(
      { object: 'instagram', entry: [{ id: ACCOUNT, messaging: [{ sender: { id: '9001' }, recipient: { id: ACCOUNT }, timestamp: 1, message: { mid: 'm4', attachments: [{ type: 'sticker', payload: {} }] } }, { sender: { id: '9001' }, recipient: { id: ACCOUNT }, message: {} }, { timestamp: 1 }] }] },
      RECEIVED,
    );
    expect(entry!.messages).toEqual([expect.objectContaining({ providerMessageId: 'm4', kind: 'unsupported' })]);
    expect(entry!.unreadable.map((u) => [u.item, u.reason])).toEqual([
      ['entry[0].messaging[1]', expect.stringContaining('timestamp')],
      ['entry[0].messaging[2]', expect.stringContaining('sender')],
    ]);
  });
});
