// Blocking a contact on a channel (spam numbers) over real HTTP on both engines: a blocked sender's
// deliveries are acknowledged and kept as received, recorded as blocked, and open no ticket, add no message
// and queue no media; unblocking lets the next message through; both show in the contact's timeline.
import { describe, expect, it } from 'vitest';
import { inboundMedia, inboundText } from '../../src/channels/whatsapp/fake-graph/index.js';
import { MEDIA_FETCH_TOPIC } from '../../src/modules/attachments/fetch-provider-media.js';
import { setContactBlocked } from '../../src/modules/contacts/block-contact.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { useApi } from '../support/api.js';
import { stored } from '../support/assertions.js';
import { buildWorld, inbound, newAddress } from '../support/factories.js';
import { countRows, ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { BUSINESS_NUMBER, connectWhatsapp, postWhatsapp, processInbound } from '../support/whatsapp.js';

describe.each(ENGINES)('blocking a contact on a channel (%s)', (engine) => {
  const api = useApi(engine);

  const seconds = () => Math.floor(api.world.clock.now() / 1000);
  const text = (waId: string, body: string, id?: string) => inboundText({ ...BUSINESS_NUMBER, waId, name: 'Spammer', text: body, timestampSec: seconds(), ...(id ? { id } : {}) });

  /** A customer's first WhatsApp message through the webhook; returns the channel, their contact and ticket. */
  async function numberWroteIn() {
    const channel = await connectWhatsapp(api);
    const waId = newAddress('whatsapp');
    expect((await postWhatsapp(api, text(waId, 'first'))).status).toBe(200);
    await processInbound(api);
    const ticket = await api.db.store.db.selectFrom('tickets').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    return { channel, waId, contactId: ticket.contact_id, ticketId: ticket.id };
  }

  const ticketsOf = (contactId: string) => api.db.store.db.selectFrom('tickets').select(['id', 'status', 'channel_id']).where('contact_id', '=', contactId).execute();
  const mediaFetches = async () => (await api.db.store.db.selectFrom('outbox').select('id').where('topic', '=', MEDIA_FETCH_TOPIC).execute()).length;

  it("a blocked WhatsApp number's new message is acknowledged and kept, opens no ticket, adds no message and queues no media, and admins see it as blocked", async () => {
    const { channel, waId, contactId, ticketId } = await numberWroteIn();
    const cookie = await api.signIn((await api.addUser('agent')).email);
    expect((await api.call('POST', `/api/tickets/${ticketId}/close`, { cookie })).status).toBe(200);
    const block = await api.call('POST', `/api/contacts/${contactId}/block`, { cookie, body: { channelId: channel.id } });
    expect(block.status).toBe(200);
    expect(block.body).toMatchObject({ changed: true, contact: { blockedChannelIds: [channel.id] } });
    expect(block.body.identities).toEqual([expect.objectContaining({ channelId: channel.id, blockedAt: api.world.clock.now() })]);
    const messagesBefore = await countRows(api.db.store, 'messages');

    const image = inboundMedia({ ...BUSINESS_NUMBER, waId, name: 'Spammer', timestampSec: seconds(), kind: 'image', mediaId: 'media-of-spam', mimeType: 'image/png', sha256: 'x', caption: 'buy now', id: 'wamid.SPAM1' });
    expect((await postWhatsapp(api, image)).status).toBe(200);
    await processInbound(api);
    // Delivered again by Meta: recorded once.
    expect((await postWhatsapp(api, image)).status).toBe(200);
    await processInbound(api);

    const payloads = await api.db.store.db.selectFrom('inbound_payloads').select(['raw', 'processed_at']).where('source', '=', 'whatsapp').execute();
    expect(payloads).toHaveLength(3);
    expect(payloads.every((p) => p.processed_at !== null)).toBe(true);
    expect(payloads.some((p) => p.raw.toString('utf8').includes('wamid.SPAM1'))).toBe(true);
    expect(await ticketsOf(contactId)).toEqual([expect.objectContaining({ id: ticketId, status: 'closed' })]);
    expect(await countRows(api.db.store, 'messages')).toBe(messagesBefore);
    expect(await mediaFetches()).toBe(0);

    const admin = await api.signIn((await api.addUser('admin')).email);
    const listed = await api.call('GET', '/api/inbound-payloads?state=blocked', { cookie: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      { id: expect.any(String), channelId: channel.id, contactId, identityId: block.body.identities[0].id, address: waId, providerMessageId: 'wamid.SPAM1', kind: 'media', receivedAt: api.world.clock.now() },
    ]);
    expect((await api.call('GET', '/api/inbound-payloads?state=unreadable', { cookie: admin })).body.items).toEqual([]);
  });

  it('after unblocking, the number’s next message opens a ticket; blocking and unblocking appear in the contact’s timeline', async () => {
    const { channel, waId, contactId, ticketId } = await numberWroteIn();
    const { userId, email } = await api.addUser('agent');
    const cookie = await api.signIn(email);
    await api.call('POST', `/api/tickets/${ticketId}/close`, { cookie });
    expect((await api.call('POST', `/api/contacts/${contactId}/block`, { cookie, body: { channelId: channel.id } })).status).toBe(200);
    await postWhatsapp(api, text(waId, 'still spamming'));
    await processInbound(api);
    expect(await ticketsOf(contactId)).toHaveLength(1);

    api.world.clock.advance(60_000);
    const unblock = await api.call('POST', `/api/contacts/${contactId}/unblock`, { cookie, body: { channelId: channel.id } });
    expect(unblock.status).toBe(200);
    expect(unblock.body).toMatchObject({ changed: true, contact: { blockedChannelIds: [] } });
    expect(unblock.body.identities[0].blockedAt).toBeNull();
    api.world.clock.advance(60_000);
    await postWhatsapp(api, text(waId, 'sorry, a real question now'));
    await processInbound(api);
    const tickets = await ticketsOf(contactId);
    expect(tickets).toHaveLength(2);
    const reopened = tickets.find((t) => t.id !== ticketId)!;
    expect(reopened.status).toBe('open');

    const detail = await api.call('GET', `/api/contacts/${contactId}`, { cookie });
    expect(detail.body.timeline).toEqual([
      expect.objectContaining({ type: 'contact.blocked', actorKind: 'user', actorUserId: userId, data: expect.objectContaining({ channelId: channel.id, addresses: [waId] }) }),
      expect.objectContaining({ type: 'contact.unblocked', actorKind: 'user', actorUserId: userId, data: expect.objectContaining({ channelId: channel.id, addresses: [waId] }) }),
    ]);
    expect(detail.body.timeline[1].createdAt - detail.body.timeline[0].createdAt).toBe(60_000);
  });

  it('blocking and unblocking are idempotent; the contact’s active ticket stays as it is, with the block in its timeline, and agents can still reply and close it', async () => {
    const { channel, waId, contactId, ticketId } = await numberWroteIn();
    const cookie = await api.signIn((await api.addUser('agent')).email);
    expect((await api.call('POST', `/api/contacts/${contactId}/block`, { cookie, body: { channelId: channel.id } })).body.changed).toBe(true);
    const again = await api.call('POST', `/api/contacts/${contactId}/block`, { cookie, body: { identityId: (await api.call('GET', `/api/contacts/${contactId}`, { cookie })).body.identities[0].id } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ changed: false, contact: { blockedChannelIds: [channel.id] } });
    expect(again.body.timeline).toHaveLength(1);

    const before = await ticketRow(api.db.store, ticketId);
    await postWhatsapp(api, text(waId, 'message while blocked'));
    await processInbound(api);
    const after = await ticketRow(api.db.store, ticketId);
    expect(after).toMatchObject({ status: before.status, last_activity_at: before.last_activity_at, last_message_preview: before.last_message_preview });

    const thread = await api.call('GET', `/api/tickets/${ticketId}`, { cookie });
    expect(JSON.stringify(thread.body)).toContain('contact.blocked');
    const reply = await api.call('POST', `/api/tickets/${ticketId}/replies`, { cookie, body: { message: { kind: 'text', body: 'We have noted your messages.' } } });
    expect(reply.status).toBe(201);
    expect((await api.call('POST', `/api/tickets/${ticketId}/close`, { cookie })).status).toBe(200);

    expect((await api.call('POST', `/api/contacts/${contactId}/unblock`, { cookie, body: { channelId: channel.id } })).body.changed).toBe(true);
    const twice = await api.call('POST', `/api/contacts/${contactId}/unblock`, { cookie, body: { channelId: channel.id } });
    expect(twice.body).toMatchObject({ changed: false, contact: { blockedChannelIds: [] } });
    expect(twice.body.timeline.map((e: { type: string }) => e.type)).toEqual(['contact.blocked', 'contact.unblocked']);
  });

  it('a block on one channel does not block the contact on another', async () => {
    const { channel, waId, contactId } = await numberWroteIn();
    const cookie = await api.signIn((await api.addUser('agent')).email);
    await api.call('POST', `/api/contacts/${contactId}/block`, { cookie, body: { channelId: channel.id } });
    // The same phone on the workspace's other WhatsApp number is the same contact, not blocked there.
    const elsewhere = stored(await ingestInbound(api.world.deps, inbound(api.world.channels.whatsapp, api.world.clock, { address: waId })));
    expect(elsewhere.ticketCreated).toBe(true);
    expect((await ticketRow(api.db.store, elsewhere.ticketId)).contact_id).toBe(contactId);
    const detail = await api.call('GET', `/api/contacts/${contactId}`, { cookie });
    expect(detail.body.contact.blockedChannelIds).toEqual([channel.id]);
  });

  it('a blocked contact merged into another keeps its block on the address and its timeline moves with it', async () => {
    const { channel, waId, contactId } = await numberWroteIn();
    const cookie = await api.signIn((await api.addUser('agent')).email);
    await api.call('POST', `/api/contacts/${contactId}/block`, { cookie, body: { channelId: channel.id } });
    const keep = await api.call('POST', '/api/contacts', { cookie, body: { name: 'Kept', addresses: [{ channelId: api.world.channels.email.id, address: newAddress('email') }] } });
    const merged = await api.call('POST', `/api/contacts/${keep.body.contact.id}/merge`, { cookie, body: { duplicateContactId: contactId } });
    expect(merged.status).toBe(200);
    expect(merged.body.contact.blockedChannelIds).toEqual([channel.id]);
    expect(merged.body.timeline.map((e: { type: string }) => e.type)).toEqual(['contact.blocked']);
    const ticketsBefore = await countRows(api.db.store, 'tickets');
    await postWhatsapp(api, text(waId, 'after the merge'));
    await processInbound(api);
    expect(await countRows(api.db.store, 'tickets')).toBe(ticketsBefore);
    expect(await countRows(api.db.store, 'inbound_blocked')).toBe(1);
  });

  it('an Instagram comment and an email from senders blocked on those channels open no ticket and are recorded as blocked', async () => {
    const { instagram, email } = api.world.channels;
    const commenter = stored(await ingestInbound(api.world.deps, inbound(instagram, api.world.clock)));
    const mailer = stored(await ingestInbound(api.world.deps, inbound(email, api.world.clock, { subject: 'Hi' })));
    const messagesBefore = await countRows(api.db.store, 'messages');
    for (const [result, channel] of [[commenter, instagram], [mailer, email]] as const) {
      const { contact_id: contactId } = await ticketRow(api.db.store, result.ticketId);
      await setContactBlocked(api.world.deps, api.world.agent, contactId, { channelId: channel.id }, true);
    }
    const commentAddress = (await api.db.store.db.selectFrom('contact_identities').select('address').where('channel_id', '=', instagram.id).executeTakeFirstOrThrow()).address;
    const mailAddress = (await api.db.store.db.selectFrom('contact_identities').select('address').where('channel_id', '=', email.id).executeTakeFirstOrThrow()).address;
    const comment = await ingestInbound(api.world.deps, inbound(instagram, api.world.clock, { address: commentAddress, kind: 'comment', body: 'spam comment' }));
    const mail = await ingestInbound(api.world.deps, inbound(email, api.world.clock, { address: mailAddress, subject: 'Re: Hi', body: 'spam mail' }));
    expect([comment.outcome, mail.outcome]).toEqual(['blocked', 'blocked']);
    expect(await countRows(api.db.store, 'messages')).toBe(messagesBefore);
    expect(await countRows(api.db.store, 'inbound_blocked')).toBe(2);
  });

  it('another workspace cannot block or unblock the contact (404), and a channel of another workspace is unknown (404)', async () => {
    const { channel, contactId } = await numberWroteIn();
    const other = await buildWorld(api.db.store, api.world.clock);
    const stranger = await api.signIn((await api.addUser('agent', other)).email);
    for (const action of ['block', 'unblock']) {
      const response = await api.call('POST', `/api/contacts/${contactId}/${action}`, { cookie: stranger, body: { channelId: channel.id } });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const foreignChannel = await api.call('POST', `/api/contacts/${contactId}/block`, { cookie, body: { channelId: other.channels.whatsapp.id } });
    expect(foreignChannel.status).toBe(404);
    const notThere = await api.call('POST', `/api/contacts/${contactId}/block`, { cookie, body: { channelId: api.world.channels.email.id } });
    expect(notThere.status).toBe(422);
    expect(notThere.body.error.code).toBe('CONTACT_NOT_ON_CHANNEL');
    expect((await api.call('GET', `/api/contacts/${contactId}`, { cookie })).body).toMatchObject({ contact: { blockedChannelIds: [] }, timeline: [] });
  });
});
