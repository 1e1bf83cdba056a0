// Instagram webhooks over real HTTP on both engines: the handshake, signatures over the raw bytes, bad
// input refused with nothing stored, every fixture, DMs of every kind, comments threading with DMs,
// echoes recorded once, reactions, reads, unsends, duplicates and batches, and media downloads.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchInstagram,
  instagramComment,
  instagramDm,
  instagramEcho,
  instagramPostback,
  instagramReaction,
  instagramRead,
  instagramUnsend,
  newInstagramMid,
  startFakeInstagramGraph,
  type FakeInstagramGraph,
} from '../../src/channels/instagram/fake-graph/index.js';
import { instagramMediaFetcher } from '../../src/channels/instagram/media.js';
import { sandboxSender } from '../../src/channels/sandbox-sender.js';
import { DAY, HOUR, MINUTE } from '../../src/domain/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { fetchDueMedia } from '../../src/modules/attachments/fetch-provider-media.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { deliverDueMessages } from '../../src/modules/outbox/deliver-messages.js';
import { useApi } from '../support/api.js';
import { IG_ACCESS_TOKEN, IG_ACCOUNT_ID, IG_VERIFY_TOKEN, connectInstagram, newIgsid, postInstagram } from '../support/instagram.js';
import { countRows, messageRow, messagesOf, ticketsOfContact } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { processInbound } from '../support/whatsapp.js';

const fixture = (name: string) => fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/channels', name));
const DM_FIXTURE_SIGNATURE = 'sha256=89e8d52f6dda39a78fe7803342a896b4914c9c5c4ec698e817a751555e026c0d';
const FIXTURE_CUSTOMER = '9000000000000001';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(1024, 3)]);

describe.each(ENGINES)('Instagram webhooks (%s)', (engine) => {
  const api = useApi(engine);
  let fake: FakeInstagramGraph;

  beforeAll(async () => {
    fake = await startFakeInstagramGraph({ accounts: [{ accountId: IG_ACCOUNT_ID, accessToken: IG_ACCESS_TOKEN }] });
    fake.setProfile(FIXTURE_CUSTOMER, { name: 'Fixture Customer', username: 'fixture.customer' });
  });
  afterAll(() => fake.close());

  const connect = (settings: Record<string, unknown> = {}) => connectInstagram(api, fake.url, settings);
  const now = () => api.world.clock.now();
  const customer = (igsid = newIgsid()) => ({ accountId: IG_ACCOUNT_ID, igsid, at: now() });

  async function ticketsOf(igsid: string) {
    const identity = await api.db.store.db.selectFrom('contact_identities').selectAll().where('address', '=', igsid).executeTakeFirstOrThrow();
    return { identity, tickets: await ticketsOfContact(api.db.store, identity.contact_id) };
  }

  async function messagesOfCustomer(igsid: string) {
    const { tickets } = await ticketsOf(igsid);
    expect(tickets).toHaveLength(1);
    return messagesOf(api.db.store, tickets[0]!.id);
  }

  /** Posts the bodies, each twice (Meta redelivers), and processes what was stored. */
  async function deliver(...bodies: Parameters<typeof postInstagram>[1][]) {
    for (const body of [...bodies, ...bodies]) expect((await postInstagram(api, body)).status).toBe(200);
    await processInbound(api);
  }

  /** An agent's reply in the customer's ticket, sent through the sandbox provider; the stored message. */
  async function agentReplied(igsid: string, body = 'Yes, in sizes M and L.') {
    const { tickets } = await ticketsOf(igsid);
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const reply = await api.call('POST', `/api/tickets/${tickets[0]!.id}/replies`, { cookie, body: { message: { kind: 'text', body } } });
    expect(reply.status).toBe(201);
    await api.db.store.db.updateTable('channels').set({ sandbox: 1 }).where('external_id', '=', IG_ACCOUNT_ID).execute();
    await deliverDueMessages(api.world.deps, { byKind: {}, sandbox: sandboxSender });
    return api.db.store.db.selectFrom('messages').selectAll().where('id', '=', reply.body.message.id).executeTakeFirstOrThrow();
  }

  it("answers Meta's verification handshake only for a configured verify token", async () => {
    await connect();
    const handshake = (token: string) => fetch(`${api.url}/webhooks/instagram?hub.mode=subscribe&hub.challenge=42424242&hub.verify_token=${token}`);
    const ok = await handshake(IG_VERIFY_TOKEN);
    expect([ok.status, await ok.text()]).toEqual([200, '42424242']);
    expect((await handshake('tbv_wrong')).status).toBe(403);
  });

  it('the DM fixture, verified over its exact bytes, becomes one customer ticket with the text and the image, and the profile from Graph', async () => {
    await connect();
    expect((await postInstagram(api, fixture('instagram-dm.json'), { signature: DM_FIXTURE_SIGNATURE })).status).toBe(200);
    expect(await processInbound(api)).toBe(1);
    const { identity, tickets } = await ticketsOf(FIXTURE_CUSTOMER);
    expect(identity).toMatchObject({ username: 'fixture.customer', display_name: 'Fixture Customer' });
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ created_by: 'customer', status: 'open', last_customer_sent_at: 1735689601000 });
    const [text, image] = await messagesOf(api.db.store, tickets[0]!.id);
    expect(text).toMatchObject({ kind: 'text', body: 'Hello! Is the blue jacket still in stock?', provider_timestamp: 1735689599876, reply_to_provider_message_id: 'aWdfZAG1faXRlbToxOkZBS0VfQUdFTlRfTVNHXzAwMDA' });
    expect(image).toMatchObject({ kind: 'media', body: null, provider_message_id: 'aWdfZAG1faXRlbToxOkZBS0VfSU5CT1VORF9ETV8wMDAy' });
    expect(JSON.parse(image!.attachments!)).toEqual([expect.objectContaining({ providerRef: expect.stringContaining('lookaside.fbsbx.com'), storageKey: null })]);
    expect(await countRows(api.db.store, 'outbox')).toBe(1);
  });

  it('a missing or wrong signature, a re-serialized body, bad JSON and another object are refused with a code, storing nothing; an unknown account is acknowledged and dropped', async () => {
    await connect();
    const raw = fixture('instagram-dm.json');
    for (const [body, signature] of [
      [raw, null],
      [raw, `sha256=${'0'.repeat(64)}`],
      [Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8')))), DM_FIXTURE_SIGNATURE],
    ] as const) {
      expect(await postInstagram(api, body, { signature })).toMatchObject({ status: 401, body: { error: { code: 'INVALID_SIGNATURE' } } });
    }
    expect(await postInstagram(api, instagramDm({ ...customer(), text: 'hi' }), { secret: 'another app secret' })).toMatchObject({ status: 401 });
    expect(await postInstagram(api, '{"object": "instagram",')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JSON' } } });
    expect(await postInstagram(api, { object: 'whatsapp_business_account', entry: [] } as never)).toMatchObject({ status: 400, body: { error: { code: 'UNSUPPORTED_OBJECT' } } });
    const elsewhere = await postInstagram(api, instagramDm({ ...customer(), accountId: '17841499999999999', text: 'hi' }));
    expect(elsewhere).toMatchObject({ status: 200, body: { received: false } });
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(0);
  });

  it('a comment (the fixture) opens a ticket shown as a comment on its media, without opening the DM window; a DM from the same person threads into it', async () => {
    await connect();
    fake.setPermalink('18000000000000003', 'https://www.instagram.com/p/FAKEPOST/');
    await deliver(fixture('instagram-comment.json'));
    const commenter = '9000000000000002';
    const [comment] = await messagesOfCustomer(commenter);
    expect(comment).toMatchObject({ kind: 'comment', direction: 'inbound', body: 'How much does shipping to Lisbon cost?', provider_message_id: '18000000000000004', provider_timestamp: 1735689800_000 });
    expect(JSON.parse(comment!.data!).comment).toMatchObject({ id: '18000000000000004', mediaId: '18000000000000003', mediaProductType: 'FEED', parentId: '18000000000000005', permalink: 'https://www.instagram.com/p/FAKEPOST/' });
    const { identity, tickets } = await ticketsOf(commenter);
    expect(identity.username).toBe('fake_commenter');
    expect(tickets[0]!.last_customer_sent_at).toBeNull();
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const window = await api.call('GET', `/api/reply-window?channelId=${tickets[0]!.channel_id}&contactId=${identity.contact_id}`, { cookie });
    expect(window.body.window).toMatchObject({ canStart: false, freeForm: { refusal: { code: 'INSTAGRAM_WINDOW_CLOSED' } } });

    await deliver(instagramDm({ ...customer(commenter), text: 'Sent you a DM about it' }));
    expect((await messagesOfCustomer(commenter)).map((m) => m.kind)).toEqual(['comment', 'text']);
    expect((await api.call('GET', `/api/reply-window?channelId=${tickets[0]!.channel_id}&contactId=${identity.contact_id}`, { cookie })).body.window).toMatchObject({ canStart: true });
  });

  it('every kind of DM is stored once: files of each type, a story reply and mention, a reel, a quick reply and a postback; an unreadable one is kept as unsupported without failing its batch', async () => {
    await connect();
    const who = customer();
    const files = ['image', 'video', 'audio', 'file', 'share', 'story_mention', 'ig_reel', 'reel'].map((type) => instagramDm({ ...who, attachments: [{ type, url: `https://cdn.example.org/${type}` }] }));
    const broken = instagramDm({ ...who });
    (broken.entry[0]!.messaging![0]!.message as Record<string, unknown>).attachments = [{ type: 'image', payload: {} }];
    await deliver(
      batchInstagram([
        ...files,
        instagramDm({ ...who, text: 'Love this!', story: { id: '17800000000000001', url: 'https://cdn.example.org/story' } }),
        broken,
        instagramDm({ ...who, text: 'Track my order', quickReplyPayload: 'TRACK_ORDER' }),
        instagramPostback({ ...who, title: 'Talk to a person', payload: 'HUMAN' }),
      ]),
    );
    const messages = await messagesOfCustomer(who.igsid);
    expect(messages.map((m) => [m.kind, m.body])).toEqual([
      ...files.map(() => ['media', null]),
      ['text', 'Love this!'],
      ['unsupported', null],
      ['interactive', 'Track my order'],
      ['interactive', 'Talk to a person'],
    ]);
    expect(messages.slice(0, 8).map((m) => JSON.parse(m.data!).media[0].type)).toEqual(['image', 'video', 'audio', 'file', 'share', 'story_mention', 'ig_reel', 'reel']);
    expect(JSON.parse(messages[5]!.data!).storyMention).toBe(true);
    expect(JSON.parse(messages[8]!.data!).storyReply).toEqual({ id: '17800000000000001', url: 'https://cdn.example.org/story' });
    expect(JSON.parse(messages[10]!.data!).quickReply).toEqual({ payload: 'TRACK_ORDER' });
    expect(JSON.parse(messages[11]!.data!).postback).toEqual({ title: 'Talk to a person', payload: 'HUMAN' });
  });

  it("an echo of the app's own message adds nothing; one the brand sent from Instagram's app (the fixture) is recorded once as outbound by an external sender", async () => {
    // An hour after the fixtures' messages, so the reply is inside the window.
    api.world.clock.set(1735689601000 + HOUR);
    await connect();
    await deliver(fixture('instagram-dm.json'));
    const ours = await agentReplied(FIXTURE_CUSTOMER);
    const before = await countRows(api.db.store, 'messages');
    await deliver(instagramEcho({ ...customer(FIXTURE_CUSTOMER), mid: ours.provider_message_id!, text: ours.body! }));
    expect(await countRows(api.db.store, 'messages')).toBe(before);

    await deliver(fixture('instagram-echo.json'));
    const messages = await messagesOfCustomer(FIXTURE_CUSTOMER);
    expect(messages).toHaveLength(before + 1);
    expect(messages.at(-1)).toMatchObject({ direction: 'outbound', author_kind: 'external', author_user_id: null, status: 'sent', body: 'Yes, we have it in sizes M and L.', provider_message_id: 'aWdfZAG1faXRlbToxOkZBS0VfT1VUQk9VTkRfRUNIT18wMDAz' });
    const { tickets } = await ticketsOf(FIXTURE_CUSTOMER);
    expect(tickets[0]).toMatchObject({ last_message_direction: 'outbound', last_message_preview: 'Yes, we have it in sizes M and L.' });
  });

  it('reactions attach to the message reacted to, reads mark our messages read, and an unsent message is marked and blanked', async () => {
    await connect();
    const who = customer();
    const dm = instagramDm({ ...who, text: 'My card number is 1234' });
    const mid = dm.entry[0]!.messaging![0]!.message as { mid: string };
    await deliver(dm);
    const ours = await agentReplied(who.igsid);
    await deliver(instagramReaction({ ...who, mid: ours.provider_message_id!, emoji: '❤️' }), instagramRead({ ...who, mid: ours.provider_message_id! }));
    const reacted = await api.db.store.db.selectFrom('messages').selectAll().where('id', '=', ours.id).executeTakeFirstOrThrow();
    expect(reacted.status).toBe('read');
    expect(JSON.parse(reacted.data ?? '{}').reactions).toEqual({ [who.igsid]: { emoji: '❤️', at: expect.any(Number) } });
    api.world.clock.advance(1000);
    await deliver(instagramReaction({ ...customer(who.igsid), mid: ours.provider_message_id! }), instagramUnsend({ ...customer(who.igsid), mid: mid.mid }));
    const [unsent, reply] = await messagesOfCustomer(who.igsid);
    expect(JSON.parse(reply!.data ?? '{}').reactions).toEqual({});
    expect(unsent).toMatchObject({ body: null, kind: 'text' });
    expect(JSON.parse(unsent!.data!).unsent).toEqual({ at: expect.any(Number), contentKept: false });
    expect(await countRows(api.db.store, 'messages')).toBe(2);
  });

  it('a read that gives only a watermark marks our messages sent up to then as read; a later one stays as it was', async () => {
    await connect();
    const who = customer();
    await deliver(instagramDm({ ...who, text: 'Is the blue one in stock?' }));
    const first = await agentReplied(who.igsid, 'Yes, it is.');
    api.world.clock.advance(MINUTE);
    const watermark = now();
    api.world.clock.advance(MINUTE);
    const second = await agentReplied(who.igsid, 'Anything else?');
    await deliver(instagramRead({ ...customer(who.igsid), watermark }));
    const statusOf = async (id: string) => (await messageRow(api.db.store, id)).status;
    expect([await statusOf(first.id), await statusOf(second.id)]).toEqual(['read', 'sent']);
  });

  it("the brand's public answer under a customer's comment, written in Instagram's app, is recorded once in the customer's ticket", async () => {
    await connect();
    const who = customer();
    const comment = instagramComment({ ...who, text: 'How much is shipping to Lisbon?' });
    const commentId = String(comment.entry[0]!.changes![0]!.value.id);
    await deliver(comment);
    const answer = instagramComment({ accountId: IG_ACCOUNT_ID, igsid: IG_ACCOUNT_ID, at: now(), text: '4.90, see our DM!', parentId: commentId });
    await deliver(answer);
    const messages = await messagesOfCustomer(who.igsid);
    expect(messages.map((m) => [m.direction, m.author_kind, m.kind, m.body])).toEqual([
      ['inbound', 'customer', 'comment', 'How much is shipping to Lisbon?'],
      ['outbound', 'external', 'comment', '4.90, see our DM!'],
    ]);
  });

  it("the brand's comment that answers no stored comment opens nothing", async () => {
    await connect();
    const before = await countRows(api.db.store, 'messages');
    await deliver(instagramComment({ accountId: IG_ACCOUNT_ID, igsid: IG_ACCOUNT_ID, at: now(), text: 'Thanks all!', parentId: '18999999999999999' }));
    expect(await countRows(api.db.store, 'messages')).toBe(before);
  });

  it('with keepUnsentContent on, an unsent message keeps its content for the audit, shown to admins only', async () => {
    await connect({ keepUnsentContent: true });
    const who = customer();
    const dm = instagramDm({ ...who, text: 'Oops, wrong chat' });
    await deliver(dm, instagramUnsend({ ...who, mid: (dm.entry[0]!.messaging![0]!.message as { mid: string }).mid }));
    const [message] = await messagesOfCustomer(who.igsid);
    expect(message).toMatchObject({ body: 'Oops, wrong chat' });
    expect(JSON.parse(message!.data!).unsent).toMatchObject({ contentKept: true });

    const shownTo = async (role: 'admin' | 'agent') => {
      const cookie = await api.signIn((await api.addUser(role)).email);
      const detail = await api.call('GET', `/api/tickets/${message!.ticket_id}`, { cookie });
      return detail.body.messages.find((m: { id: string }) => m.id === message!.id);
    };
    expect(await shownTo('admin')).toMatchObject({ body: 'Oops, wrong chat', data: { unsent: { contentKept: true } } });
    expect(await shownTo('agent')).toMatchObject({ body: null, html: null, attachments: [], data: { unsent: { contentKept: true } } });
  });

  it("a customer's image is downloaded from its link into attachment storage; an expired link leaves a visible reason after the retries", async () => {
    await connect();
    const who = customer();
    await deliver(instagramDm({ ...who, attachments: [{ type: 'image', url: fake.addMedia(PNG, 'image/png') }] }), instagramDm({ ...who, attachments: [{ type: 'image', url: `${fake.url}/ig_messaging_cdn/expired` }] }));
    const storage = new LocalDiskAttachmentStorage(api.attachmentsDir);
    for (let attempt = 0; attempt < 9; attempt++) {
      await fetchDueMedia(api.world.deps, storage, { instagram: instagramMediaFetcher }, createLogger('silent'));
      api.world.clock.advance(DAY);
    }
    const [stored, expired] = (await messagesOfCustomer(who.igsid)).map((m) => JSON.parse(m.attachments!)[0]);
    expect(stored).toMatchObject({ storageKey: expect.any(String), attachmentId: expect.any(String), size: PNG.length, contentType: 'image/png' });
    expect(expired).toMatchObject({ storageKey: null, failed: expect.stringContaining('could not be downloaded') });
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const download = await fetch(`${api.url}/api/attachments/${stored.attachmentId}/content`, { headers: { cookie } });
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it("a photo the brand sent from Instagram's app is recorded with its message and downloaded like a customer's", async () => {
    await connect();
    const who = customer();
    await deliver(instagramDm({ ...who, text: 'Can I see the back of it?' }));
    await deliver(instagramEcho({ ...who, mid: newInstagramMid(), attachments: [{ type: 'image', url: fake.addMedia(PNG, 'image/png') }] }));
    await fetchDueMedia(api.world.deps, new LocalDiskAttachmentStorage(api.attachmentsDir), { instagram: instagramMediaFetcher }, createLogger('silent'));
    const photo = (await messagesOfCustomer(who.igsid)).at(-1)!;
    expect(photo).toMatchObject({ direction: 'outbound', author_kind: 'external' });
    expect(JSON.parse(photo.attachments!)[0]).toMatchObject({ storageKey: expect.any(String), size: PNG.length, contentType: 'image/png' });
  });

  it('a reaction to a message not stored yet waits and is applied once the message arrives', async () => {
    await connect();
    const who = customer();
    const mid = newInstagramMid();
    await deliver(instagramReaction({ ...who, mid, emoji: '😮' }));
    expect(await api.db.store.db.selectFrom('inbound_payloads').select('id').where('processed_at', 'is', null).execute()).toHaveLength(2);
    await deliver(instagramDm({ ...who, mid, text: 'Guess what' }));
    api.world.clock.advance(2 * 60_000);
    await processInbound(api);
    const [message] = await messagesOfCustomer(who.igsid);
    expect(JSON.parse(message!.data ?? '{}').reactions).toEqual({ [who.igsid]: expect.objectContaining({ emoji: '😮' }) });
  });
});
