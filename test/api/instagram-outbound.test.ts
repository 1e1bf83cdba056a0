// Instagram sending over real HTTP on both engines, against the local fake Graph API: the 24-hour window,
// the 7-day HUMAN_AGENT window for people (never for automations), nothing after 7 days, private and
// public answers to comments, echoes of our own sends, and what Instagram's refusals do to a message.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { instagramComment, instagramDm } from '../../src/channels/instagram/fake-graph/index.js';
import { DAY, HOUR } from '../../src/domain/clock.js';
import { queueOutbound } from '../../src/modules/messages/outgoing.js';
import { useApi } from '../support/api.js';
import { IG_ACCESS_TOKEN, IG_ACCOUNT_ID, IG_APP_SECRET, connectInstagram, newIgsid, useFakeInstagramGraph } from '../support/instagram.js';
import { countRows, messageRow, messagesOf, ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { processInbound } from '../support/whatsapp.js';

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/channels', name), 'utf8'));

describe.each(ENGINES)('sending on Instagram (%s)', (engine) => {
  const api = useApi(engine);
  const instagram = useFakeInstagramGraph(api);
  const { relay } = instagram;
  const sends = () => instagram.fake.requests.filter((r) => r.endpoint === 'messages' || r.endpoint === 'comment-replies');

  /** A connected channel, an agent's session, and a customer who wrote (through the fake, so both sides know) `ago` ms ago. */
  async function customerWrote(ago: number, body: 'dm' | 'comment' = 'dm') {
    instagram.fake.reset();
    const channel = await connectInstagram(api, instagram.fake.url);
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const igsid = newIgsid();
    const at = api.world.clock.now() - ago;
    const payload = body === 'dm' ? instagramDm({ accountId: IG_ACCOUNT_ID, igsid, at, text: 'Is the jacket in stock?' }) : instagramComment({ accountId: IG_ACCOUNT_ID, igsid, at, text: 'Price?' });
    expect((await instagram.fake.deliverWebhook(`${api.url}/webhooks/instagram`, payload, IG_APP_SECRET)).status).toBe(200);
    await processInbound(api);
    const identity = await api.db.store.db.selectFrom('contact_identities').selectAll().where('address', '=', igsid).executeTakeFirstOrThrow();
    const ticket = await api.db.store.db.selectFrom('tickets').selectAll().where('contact_id', '=', identity.contact_id).executeTakeFirstOrThrow();
    const [first] = await messagesOf(api.db.store, ticket.id);
    return { channel, cookie, igsid, ticketId: ticket.id, contactId: identity.contact_id, firstMessageId: first!.id };
  }

  const reply = (cookie: string, ticketId: string, body: string, extra: Record<string, unknown> = {}) => api.call('POST', `/api/tickets/${ticketId}/replies`, { cookie, body: { message: { kind: 'text', body }, ...extra } });

  it('2 hours after the customer wrote, a reply is sent without a tag and its message id stored', async () => {
    const { cookie, igsid, ticketId } = await customerWrote(2 * HOUR);
    const replied = await reply(cookie, ticketId, 'Yes, in M and L.');
    expect(replied.status).toBe(201);
    await relay();
    expect(instagram.fake.sent).toHaveLength(1);
    expect(instagram.fake.sent[0]!.body).toEqual({ recipient: { id: igsid }, message: { text: 'Yes, in M and L.' } });
    expect(instagram.fake.sent[0]!.path).toBe(`/v23.0/${IG_ACCOUNT_ID}/messages`);
    expect(instagram.fake.sent[0]!.headers.authorization).toBe(`Bearer ${IG_ACCESS_TOKEN}`);
    expect(await messageRow(api.db.store, replied.body.message.id)).toMatchObject({ status: 'sent', provider_message_id: instagram.fake.sent[0]!.messageId });
  });

  it("3 days after the customer wrote, a person's reply goes out with the HUMAN_AGENT tag; an automated message is refused and never reaches Instagram", async () => {
    const { cookie, igsid, ticketId } = await customerWrote(3 * DAY);
    const text = 'Sorry for the wait - your replacement jacket ships tomorrow.';
    const replied = await reply(cookie, ticketId, text);
    expect(replied.status).toBe(201);
    await relay();
    expect(instagram.fake.sent.map((s) => s.body)).toEqual([{ ...fixture('instagram-send-human-agent-request.json'), recipient: { id: igsid } }]);
    expect((await messageRow(api.db.store, replied.body.message.id)).status).toBe('sent');

    const ticket = await ticketRow(api.db.store, ticketId);
    const automated = await api.db.store.unit((trx) => queueOutbound(trx, { ticket, authorUserId: null, authorKind: 'system', content: { kind: 'text', body: 'This ticket will close soon.' }, tag: null, now: api.world.clock.now() }));
    await relay();
    expect(await messageRow(api.db.store, automated.id)).toMatchObject({ status: 'failed', error_code: 'INSTAGRAM_HUMAN_AGENT_ONLY' });
    expect(instagram.fake.sent).toHaveLength(1);
  });

  it('8 days after the customer wrote, "+ New" and replies are refused with INSTAGRAM_WINDOW_CLOSED and nothing reaches Instagram', async () => {
    const { channel, cookie, ticketId, contactId } = await customerWrote(8 * DAY);
    const before = await countRows(api.db.store, 'messages');
    const replied = await reply(cookie, ticketId, 'Still there?');
    expect(replied).toMatchObject({ status: 422, body: { error: { code: 'INSTAGRAM_WINDOW_CLOSED' } } });
    expect(replied.body.error.message).toContain('8 days');
    await api.call('POST', `/api/tickets/${ticketId}/close`, { cookie, body: {} });
    const started = await api.call('POST', '/api/tickets', { cookie, body: { channelId: channel.id, contact: { contactId }, message: { kind: 'text', body: 'Hello again' } } });
    expect(started).toMatchObject({ status: 422, body: { error: { code: 'INSTAGRAM_WINDOW_CLOSED' } } });
    const onClosed = await reply(cookie, ticketId, 'x');
    expect(onClosed.status).toBe(409);
    await relay();
    expect(await countRows(api.db.store, 'messages')).toBe(before);
    expect(sends()).toHaveLength(0);
  });

  it('a reply queued inside the window but sent after it closed is refused at send time, before Instagram', async () => {
    const { cookie, ticketId } = await customerWrote(23 * HOUR);
    const ticket = await ticketRow(api.db.store, ticketId);
    const automated = await api.db.store.unit((trx) => queueOutbound(trx, { ticket, authorUserId: null, authorKind: 'system', content: { kind: 'text', body: 'Closing soon' }, tag: null, now: api.world.clock.now() }));
    api.world.clock.advance(2 * HOUR);
    await relay();
    expect(await messageRow(api.db.store, automated.id)).toMatchObject({ status: 'failed', error_code: 'INSTAGRAM_HUMAN_AGENT_ONLY' });
    expect(sends()).toHaveLength(0);
    expect((await reply(cookie, ticketId, 'A person can still answer')).status).toBe(201);
  });

  it('a comment is answered privately (to the comment id, once) or in public (under the comment); a private reply after 7 days is refused', async () => {
    const { cookie, ticketId, firstMessageId } = await customerWrote(HOUR, 'comment');
    const comment = await messageRow(api.db.store, firstMessageId);
    expect(comment.kind).toBe('comment');
    expect((await reply(cookie, ticketId, 'Without choosing how')).body.error.code).toBe('INSTAGRAM_WINDOW_CLOSED');

    const privately = await reply(cookie, ticketId, 'Hi! Shipping to Lisbon is 4.90.', { commentReply: { commentMessageId: comment.id, mode: 'private' } });
    expect(privately.status).toBe(201);
    const again = await reply(cookie, ticketId, 'And once more', { commentReply: { commentMessageId: comment.id, mode: 'private' } });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'PRIVATE_REPLY_ALREADY_SENT' } } });
    const publicly = await reply(cookie, ticketId, 'Answered you in DM!', { commentReply: { commentMessageId: comment.id, mode: 'public' } });
    expect(publicly.status).toBe(201);
    await relay();
    expect(instagram.fake.sent.map((s) => s.body)).toEqual([{ recipient: { comment_id: comment.provider_message_id }, message: { text: 'Hi! Shipping to Lisbon is 4.90.' } }]);
    expect(instagram.fake.publicReplies.map((r) => [r.commentId, r.message])).toEqual([[comment.provider_message_id, 'Answered you in DM!']]);
    expect(await messageRow(api.db.store, publicly.body.message.id)).toMatchObject({ status: 'sent', provider_message_id: instagram.fake.publicReplies[0]!.id });

    api.world.clock.advance(8 * DAY);
    const late = await reply(cookie, ticketId, 'Late', { commentReply: { commentMessageId: comment.id, mode: 'private' } });
    expect(late).toMatchObject({ status: 422, body: { error: { code: 'INSTAGRAM_PRIVATE_REPLY_EXPIRED' } } });
    const notAComment = await reply(cookie, ticketId, 'x', { commentReply: { commentMessageId: privately.body.message.id, mode: 'public' } });
    expect(notAComment).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
  });

  it('the echo of a message the app sent does not add a second message', async () => {
    const { cookie, ticketId } = await customerWrote(HOUR);
    instagram.fake.echoTo = { url: `${api.url}/webhooks/instagram`, appSecret: IG_APP_SECRET };
    try {
      expect((await reply(cookie, ticketId, 'On its way!')).status).toBe(201);
      await relay();
      await instagram.fake.whenIdle();
      expect(instagram.fake.webhooks.at(-1)).toMatchObject({ status: 200 });
      await processInbound(api);
      expect((await messagesOf(api.db.store, ticketId)).map((m) => [m.direction, m.author_kind, m.body])).toEqual([
        ['inbound', 'customer', 'Is the jacket in stock?'],
        ['outbound', 'agent', 'On its way!'],
      ]);
    } finally {
      instagram.fake.echoTo = null;
    }
  });

  it("Instagram's outside-window refusal (code 10) ends as a visible failure; a 5xx is retried and then sent; a refused token holds the channel", async () => {
    const { channel, cookie, ticketId } = await customerWrote(HOUR);
    instagram.fake.failNext(1, { error: fixture('instagram-error-outside-window.json').error, status: 403 });
    const refused = await reply(cookie, ticketId, 'First');
    await relay();
    expect(await messageRow(api.db.store, refused.body.message.id)).toMatchObject({ status: 'failed', error_code: '10/2534022', error_message: expect.stringContaining('window') });

    instagram.fake.failNext(1, { status: 500, error: 2 });
    const retried = await reply(cookie, ticketId, 'Second');
    await relay();
    expect((await messageRow(api.db.store, retried.body.message.id)).status).toBe('queued');
    api.world.clock.advance(10 * 60_000);
    await relay();
    expect(await messageRow(api.db.store, retried.body.message.id)).toMatchObject({ status: 'sent', provider_message_id: instagram.fake.sent.at(-1)!.messageId });

    instagram.fake.failNext(1, { error: 190 });
    const held = await reply(cookie, ticketId, 'Third');
    await relay();
    expect((await messageRow(api.db.store, held.body.message.id)).status).toBe('queued');
    expect((await api.call('GET', `/api/channels/${channel.id}`, { cookie })).body.channel.attention).toMatchObject({ reason: expect.stringContaining('access token') });
  });
});
