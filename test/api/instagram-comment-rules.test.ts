// Which Instagram comments open tickets (comment rules, in order, with a default for the rest), comments
// recorded without a ticket on the contact's timeline, a customer's active ticket taking every comment of
// theirs, and a rule's automatic private and public answers: sent once per comment, as automation, never
// after 7 days. Over real HTTP on both engines, against the local fake Graph API.
import { describe, expect, it } from 'vitest';
import { instagramComment, instagramDm, type InstagramWebhook } from '../../src/channels/instagram/fake-graph/index.js';
import { Migrator } from 'kysely';
import { migrations } from '../../src/db/migrations/index.js';
import { DAY } from '../../src/domain/clock.js';
import { DEFAULT_COMMENT_RULES, type CommentRules } from '../../src/domain/comment-rules.js';
import { useApi } from '../support/api.js';
import { IG_ACCOUNT_ID, IG_APP_SECRET, connectInstagram, newIgsid, useFakeInstagramGraph } from '../support/instagram.js';
import { countRows, messagesOf, ticketsOfContact } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { processInbound } from '../support/whatsapp.js';

const POST_ID = '17900000000000042';
const POST_LINK = 'https://www.instagram.com/p/SPRINGSALE/';

/** One rule for the spring-sale post: "envío" (any accent or case) opens a ticket and is answered in DM and under the comment. */
const SPRING_SALE: CommentRules = {
  rules: [
    {
      id: 'spring-shipping',
      name: 'Spring sale shipping',
      posts: ['instagram.com/p/SPRINGSALE'],
      match: 'keywords',
      keywords: ['envío'],
      action: 'ticket',
      privateReply: 'Hola {handle}! Te escribimos por DM sobre {post}',
      publicReply: 'Te respondimos por DM 💬',
    },
  ],
  otherwise: 'record',
};

describe.each(ENGINES)('Instagram comment rules (%s)', (engine) => {
  const api = useApi(engine);
  const instagram = useFakeInstagramGraph(api);
  const now = () => api.world.clock.now();

  async function connect(commentRules?: CommentRules) {
    instagram.fake.reset();
    instagram.fake.setPermalink(POST_ID, POST_LINK);
    return connectInstagram(api, instagram.fake.url, commentRules ? { commentRules } : {});
  }

  /** Delivers each body twice through the fake (Meta redelivers; the fake then knows the comments) and processes what was stored. */
  async function deliver(...bodies: InstagramWebhook[]) {
    for (const body of [...bodies, ...bodies]) expect((await instagram.fake.deliverWebhook(`${api.url}/webhooks/instagram`, body, IG_APP_SECRET)).status).toBe(200);
    await processInbound(api);
  }

  const comment = (igsid: string, text: string, extra: { mediaId?: string; at?: number } = {}) =>
    instagramComment({ accountId: IG_ACCOUNT_ID, igsid, username: `fan_${igsid.slice(-3)}`, at: extra.at ?? now(), text, mediaId: extra.mediaId });

  async function contactOf(igsid: string) {
    const identity = await api.db.store.db.selectFrom('contact_identities').selectAll().where('address', '=', igsid).executeTakeFirstOrThrow();
    return { contactId: identity.contact_id, tickets: await ticketsOfContact(api.db.store, identity.contact_id) };
  }

  it('by the default rules, questions and comments naming an order open tickets; emoji, mentions and praise are recorded on the contact only', async () => {
    await connect();
    const [asks, orders, loves, tags, praises] = [newIgsid(), newIgsid(), newIgsid(), newIgsid(), newIgsid()];
    await deliver(comment(asks, 'Do you ship to Lisbon?'), comment(orders, 'My ORDER never came'), comment(loves, '😍🔥🔥'), comment(tags, '@ana_b @carla.m'), comment(praises, 'Love it'));
    expect((await contactOf(asks)).tickets).toHaveLength(1);
    expect((await contactOf(orders)).tickets).toHaveLength(1);
    for (const igsid of [loves, tags, praises]) expect((await contactOf(igsid)).tickets).toEqual([]);
    expect(await countRows(api.db.store, 'recorded_comments')).toBe(3);

    const admin = await api.signIn((await api.addUser('admin')).email);
    const contact = await api.call('GET', `/api/contacts/${(await contactOf(praises)).contactId}`, { cookie: admin });
    expect(contact.body.timeline).toEqual([expect.objectContaining({ type: 'comment.recorded', data: expect.objectContaining({ body: 'Love it', ruleId: null }) })]);
  });

  it('a comment from a customer with an active ticket joins it, whatever the rules say', async () => {
    await connect();
    const igsid = newIgsid();
    await deliver(instagramDm({ accountId: IG_ACCOUNT_ID, igsid, at: now(), text: 'Hi, about my jacket' }));
    await deliver(comment(igsid, '😍'));
    const { tickets } = await contactOf(igsid);
    expect(tickets).toHaveLength(1);
    expect((await messagesOf(api.db.store, tickets[0]!.id)).map((m) => [m.kind, m.body])).toEqual([
      ['text', 'Hi, about my jacket'],
      ['comment', '😍'],
    ]);
    expect(await countRows(api.db.store, 'recorded_comments')).toBe(0);
  });

  it("a rule scoped to one post matches its keywords ignoring case and accents, and answers once privately (never tagged as a person) and once in public", async () => {
    await connect(SPRING_SALE);
    const igsid = newIgsid();
    await deliver(comment(igsid, 'ENVIO a Lisboa', { mediaId: POST_ID }));
    await deliver(comment(newIgsid(), 'envío a Porto', { mediaId: '17900000000000099' }));
    const { tickets } = await contactOf(igsid);
    expect(tickets).toHaveLength(1);
    expect(await countRows(api.db.store, 'recorded_comments')).toBe(1);

    await instagram.relay();
    const [commentRow, privately, publicly] = await messagesOf(api.db.store, tickets[0]!.id);
    expect(JSON.parse(commentRow!.data!).commentRule).toEqual({ id: 'spring-shipping', action: 'ticket' });
    expect([privately, publicly].map((m) => [m!.author_kind, m!.automated, m!.status])).toEqual([
      ['system', 1, 'sent'],
      ['system', 1, 'sent'],
    ]);
    expect(instagram.fake.sent.map((s) => s.body)).toEqual([{ recipient: { comment_id: commentRow!.provider_message_id }, message: { text: `Hola @fan_${igsid.slice(-3)}! Te escribimos por DM sobre ${POST_LINK}` } }]);
    expect(instagram.fake.publicReplies.map((r) => [r.commentId, r.message])).toEqual([[commentRow!.provider_message_id, 'Te respondimos por DM 💬']]);

    // The same comment delivered again answers nothing new; a second comment of theirs gets its own answers.
    await deliver(comment(igsid, 'envio?', { mediaId: POST_ID }));
    await deliver(instagramComment({ accountId: IG_ACCOUNT_ID, igsid, at: now(), text: 'ENVIO a Lisboa', mediaId: POST_ID, commentId: commentRow!.provider_message_id! }));
    await instagram.relay();
    expect(instagram.fake.sent).toHaveLength(2);
    expect(new Set(instagram.fake.sent.map((s) => (s.body as { recipient: { comment_id: string } }).recipient.comment_id)).size).toBe(2);
    expect((await contactOf(igsid)).tickets).toHaveLength(1);
  });

  it('a private answer is not sent more than 7 days after the comment; the skip is on the ticket once', async () => {
    await connect(SPRING_SALE);
    const igsid = newIgsid();
    await deliver(comment(igsid, 'envío?', { mediaId: POST_ID, at: now() - 8 * DAY }));
    await instagram.relay();
    const { tickets } = await contactOf(igsid);
    expect(instagram.fake.sent).toEqual([]);
    expect(instagram.fake.publicReplies).toHaveLength(1);
    const skips = await api.db.store.db.selectFrom('ticket_events').select('data').where('ticket_id', '=', tickets[0]!.id).where('type', '=', 'automation.skipped').execute();
    expect(skips.map((s) => JSON.parse(s.data!) as { answer: string; code: string })).toEqual([expect.objectContaining({ answer: 'private', code: 'INSTAGRAM_PRIVATE_REPLY_EXPIRED' })]);
  });

  it('admins read, save and try the rules; agents read and try; bad rules and channels without comments are refused', async () => {
    const channel = await connect();
    const admin = await api.signIn((await api.addUser('admin')).email);
    const agent = await api.signIn((await api.addUser('agent')).email);
    const path = `/api/channels/${channel.id}/comment-rules`;

    expect((await api.call('GET', path, { cookie: agent })).body).toEqual({ rules: DEFAULT_COMMENT_RULES, saved: false });
    expect((await api.call('PUT', path, { cookie: agent, body: SPRING_SALE })).status).toBe(403);
    const saved = await api.call('PUT', path, { cookie: admin, body: SPRING_SALE });
    expect(saved).toMatchObject({ status: 200, body: { saved: true } });
    expect((await api.call('GET', path, { cookie: agent })).body).toEqual({ rules: SPRING_SALE, saved: true });

    const trial = await api.call('POST', `${path}/test`, { cookie: agent, body: { text: 'Envío gratis?', post: 'https://instagram.com/p/SPRINGSALE/?igsh=abc', handle: '@maria' } });
    expect(trial.body).toEqual({ action: 'ticket', rule: { id: 'spring-shipping', name: 'Spring sale shipping' }, privateReply: 'Hola @maria! Te escribimos por DM sobre https://instagram.com/p/SPRINGSALE/?igsh=abc', publicReply: 'Te respondimos por DM 💬' });
    const unsaved = await api.call('POST', `${path}/test`, { cookie: agent, body: { text: 'Envío gratis?', rules: DEFAULT_COMMENT_RULES } });
    expect(unsaved.body).toMatchObject({ action: 'ticket', rule: { id: 'questions' } });
    expect((await api.call('POST', `${path}/test`, { cookie: agent, body: { text: 'nice' } })).body).toMatchObject({ action: 'record', rule: null });

    for (const bad of [
      { rules: [{ ...SPRING_SALE.rules[0], keywords: [] }], otherwise: 'record' },
      { rules: [{ ...SPRING_SALE.rules[0], action: 'record' }], otherwise: 'record' },
      { rules: [SPRING_SALE.rules[0], SPRING_SALE.rules[0]], otherwise: 'record' },
      { rules: [], otherwise: 'ignore' },
    ]) {
      expect(await api.call('PUT', path, { cookie: admin, body: bad })).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    }
    expect((await api.call('GET', path, { cookie: agent })).body.rules).toEqual(SPRING_SALE);
    const whatsapp = await api.call('GET', `/api/channels/${api.world.channels.whatsapp.id}/comment-rules`, { cookie: admin });
    expect(whatsapp).toMatchObject({ status: 400, body: { error: { code: 'COMMENT_RULES_UNSUPPORTED' } } });
    expect(await api.call('PUT', `/api/channels/${api.world.channels.whatsapp.id}/comment-rules`, { cookie: admin, body: SPRING_SALE })).toMatchObject({ status: 400 });
  });

  it('an Instagram channel connected before comment rules keeps opening a ticket for every comment after the upgrade', async () => {
    const db = api.db.store.db;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo('0016-sender-verification')).error).toBeUndefined();
    await connect();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const igsid = newIgsid();
    await deliver(comment(igsid, 'nice'));
    expect((await contactOf(igsid)).tickets).toHaveLength(1);
    const config = JSON.parse((await db.selectFrom('channels').select('config').where('external_id', '=', IG_ACCOUNT_ID).executeTakeFirstOrThrow()).config) as Record<string, unknown>;
    expect(config.commentRules).toEqual({ rules: [], otherwise: 'ticket' });
  });
});
