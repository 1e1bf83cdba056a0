// WhatsApp outbound end to end against the local fake Graph API over real HTTP: what the relay sends for
// texts, replies, templates and files, and what each of Meta's answers does to the message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandboxSender } from '../../src/channels/sandbox-sender.js';
import { startFakeGraph, type FakeGraph } from '../../src/channels/whatsapp/fake-graph/index.js';
import { whatsappSender } from '../../src/channels/whatsapp/sender.js';
import type { ChannelRow } from '../../src/db/schema.js';
import { HOUR, MINUTE } from '../../src/domain/clock.js';
import { watchProviderErrors, type ProviderErrorReport } from '../../src/lib/provider-errors.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { applyDeliveryReceipt } from '../../src/modules/messages/delivery-receipts.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { queueOutbound, type OutgoingContent } from '../../src/modules/messages/outgoing.js';
import { deliverDueMessages, type Senders } from '../../src/modules/outbox/deliver-messages.js';
import { startTicket } from '../../src/modules/messages/start-ticket.js';
import { inbound, newAddress } from '../support/factories.js';
import { messageRow, ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

const TOKEN = 'EAAG-fake-graph-access-token-0001';
const APP_SECRET = 'app-secret-0123456789abcdef';
const WABA = '300000000000001';
let phoneNumbers = 200_000_000_100;

describe.each(ENGINES)('sending WhatsApp messages through the Graph API (%s)', (engine) => {
  const ctx = useWorld(engine);
  let fake: FakeGraph;
  let storageDir: string;
  let storage: LocalDiskAttachmentStorage;
  let senders: Senders;
  let channel: ChannelRow;
  let phoneNumberId: string;

  beforeEach(async () => {
    phoneNumberId = String(phoneNumbers++);
    fake = await startFakeGraph({ phoneNumbers: [{ phoneNumberId, accessToken: TOKEN, wabaId: WABA }], now: () => ctx.world.clock.now() });
    storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-wa-outbound-'));
    storage = new LocalDiskAttachmentStorage(storageDir);
    senders = { byKind: { whatsapp: whatsappSender({ readAttachment: (key) => storage.get(key), timeoutMs: 500 }) }, sandbox: sandboxSender };
    channel = await insertChannel(
      ctx.db.store.db,
      {
        workspaceId: ctx.world.workspaceId,
        kind: 'whatsapp',
        name: 'Support line',
        externalId: phoneNumberId,
        config: { phoneNumberId, businessAccountId: WABA, graphBaseUrl: fake.url, sendRatePerSecond: 1000 },
        secrets: { accessToken: TOKEN, appSecret: APP_SECRET },
      },
      ctx.world.clock.now(),
    );
  });

  afterEach(async () => {
    await fake.close();
    fs.rmSync(storageDir, { recursive: true, force: true });
  });

  const relay = () => deliverDueMessages(ctx.world.deps, senders);
  const outboxOf = (messageId: string) => ctx.db.store.db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).executeTakeFirstOrThrow();
  const sendRequests = () => fake.requests.filter((r) => r.endpoint === 'messages');

  /** A customer who wrote `hoursAgo` hours ago, as both we and the fake know it. */
  async function customerWrote(hoursAgo = 1, address = newAddress('whatsapp')) {
    const sentAt = ctx.world.clock.hoursAgo(hoursAgo);
    const result = await ingestInbound(ctx.world.deps, inbound(channel, ctx.world.clock, { address, sentAt, providerMessageId: `wamid.IN_${address}_${sentAt}` }));
    if (result.outcome !== 'stored') throw new Error('expected the customer message to be stored');
    return { address, ticketId: result.ticketId, providerMessageId: `wamid.IN_${address}_${sentAt}` };
  }

  function tellFake(address: string, hoursAgo = 1) {
    fake.customerWrote(phoneNumberId, address, ctx.world.clock.hoursAgo(hoursAgo));
  }

  async function agentWrites(address: string, message: OutgoingContent = { kind: 'text', body: 'We are on it!' }) {
    return (await startTicket(ctx.world.deps, ctx.world.agent, { channelId: channel.id, contact: { address }, message })).message;
  }

  async function queueInTicket(ticketId: string, content: OutgoingContent) {
    const ticket = await ticketRow(ctx.db.store, ticketId);
    return ctx.db.store.unit((trx) => queueOutbound(trx, { ticket, authorUserId: ctx.world.agent.userId, authorKind: 'agent', content, tag: null, now: ctx.world.clock.now() }));
  }

  async function timelineOf(ticketId: string, type: string) {
    const rows = await ctx.db.store.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).where('type', '=', type).execute();
    return rows.map((row) => JSON.parse(row.data ?? 'null'));
  }

  it('a text reaches Graph with exactly the documented body and the bearer token, and the wamid is stored', async () => {
    const { address } = await customerWrote();
    tellFake(address);
    const queued = await agentWrites(address);
    expect(await relay()).toBe(1);
    expect(fake.sent).toHaveLength(1);
    const sent = fake.sent[0]!;
    expect(sent.path).toBe(`/v23.0/${phoneNumberId}/messages`);
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: `+${address}`,
      type: 'text',
      text: { preview_url: false, body: 'We are on it!' },
      biz_opaque_callback_data: queued.id,
    });
    expect(await messageRow(ctx.db.store, queued.id)).toMatchObject({ status: 'sent', provider_message_id: sent.wamid });
  });

  it('a reply to a customer message quotes it with its wamid', async () => {
    const customer = await customerWrote();
    tellFake(customer.address);
    const queued = await queueInTicket(customer.ticketId, { kind: 'text', body: 'About this: see https://help.example.org/returns' });
    await ctx.db.store.db.updateTable('messages').set({ reply_to_provider_message_id: customer.providerMessageId }).where('id', '=', queued.id).execute();
    await relay();
    expect(fake.sent[0]!.body).toMatchObject({ context: { message_id: customer.providerMessageId }, text: { preview_url: true, body: 'About this: see https://help.example.org/returns' } });
  });

  it('a stored file is uploaded to the number first, then sent by its media id with caption and file name', async () => {
    const customer = await customerWrote();
    tellFake(customer.address);
    const bytes = Buffer.from('%PDF-1.4 invoice bytes');
    await storage.put('invoicekey01', bytes);
    const queued = await queueInTicket(customer.ticketId, {
      kind: 'media',
      body: 'Your invoice',
      attachments: [{ fileName: 'invoice.pdf', contentType: 'application/pdf', size: bytes.length, storageKey: 'invoicekey01' }],
    });
    await relay();
    expect(fake.uploads).toHaveLength(1);
    const upload = fake.uploads[0]!;
    expect(upload).toMatchObject({ phoneNumberId, mimeType: 'application/pdf', filename: 'invoice.pdf' });
    expect(upload.bytes.equals(bytes)).toBe(true);
    expect(fake.sent[0]!.body).toMatchObject({ type: 'document', document: { id: upload.id, caption: 'Your invoice', filename: 'invoice.pdf' }, biz_opaque_callback_data: queued.id });
    expect((await messageRow(ctx.db.store, queued.id)).status).toBe('sent');
  });

  it('a file that is no longer stored fails the message with MEDIA_MISSING instead of retrying', async () => {
    const customer = await customerWrote();
    tellFake(customer.address);
    const queued = await queueInTicket(customer.ticketId, { kind: 'media', body: null, attachments: [{ fileName: 'gone.png', contentType: 'image/png', size: 3, storageKey: 'missingkey01' }] });
    await relay();
    expect(await messageRow(ctx.db.store, queued.id)).toMatchObject({ status: 'failed', error_code: 'MEDIA_MISSING' });
    expect(fake.requests).toHaveLength(0);
  });

  it('131047 from WhatsApp fails the message once, with a reason pointing to templates and a timeline event, and is not retried', async () => {
    // We saw the customer 2 h ago, but Meta says the window is closed (its clock and ours disagree).
    const { address, ticketId } = await customerWrote(2);
    const queued = await agentWrites(address);
    await relay();
    const failed = await messageRow(ctx.db.store, queued.id);
    expect(failed).toMatchObject({ status: 'failed', error_code: '131047' });
    expect(failed.error_message).toMatch(/24-hour window/);
    expect(failed.error_message).toMatch(/approved template/);
    expect(await timelineOf(ticketId, 'message.failed')).toEqual([{ messageId: queued.id, code: '131047', message: failed.error_message }]);
    expect((await outboxOf(queued.id)).done_at).not.toBeNull();
    ctx.world.clock.advance(HOUR);
    expect(await relay()).toBe(0);
    expect(sendRequests()).toHaveLength(1);
  });

  it('130429 (rate limit) is retried after a jittered backoff and the message is sent once', async () => {
    const { address } = await customerWrote();
    tellFake(address);
    fake.failNext(1, { error: 130429, endpoint: 'messages' });
    const queued = await agentWrites(address);
    await relay();
    const waiting = await outboxOf(queued.id);
    expect((await messageRow(ctx.db.store, queued.id)).status).toBe('queued');
    expect(waiting).toMatchObject({ attempts: 1, done_at: null });
    expect(waiting.last_error).toMatch(/^130429: /);
    // The first retry waits between half and all of the 2 s base.
    expect(waiting.available_at - ctx.world.clock.now()).toBeGreaterThanOrEqual(1_000);
    expect(waiting.available_at - ctx.world.clock.now()).toBeLessThanOrEqual(2_000);
    expect(await relay()).toBe(0);
    ctx.world.clock.advance(2_000);
    await relay();
    expect(await messageRow(ctx.db.store, queued.id)).toMatchObject({ status: 'sent', provider_message_id: fake.sent[0]!.wamid });
    expect(fake.sent).toHaveLength(1);
    expect(sendRequests().map((r) => r.status)).toEqual([429, 200]);
  });

  it('a 5xx without a Graph error and a request that times out are both retried, then the message goes out', async () => {
    const { address } = await customerWrote();
    tellFake(address);
    fake.failNext(1, { status: 502, rawBody: '<html>Bad gateway</html>', endpoint: 'messages' });
    fake.hangNext(1, { endpoint: 'messages' });
    const queued = await agentWrites(address);
    await relay();
    expect((await outboxOf(queued.id)).last_error).toMatch(/^HTTP_502: /);
    ctx.world.clock.advance(5 * MINUTE);
    await relay();
    expect((await outboxOf(queued.id)).last_error).toMatch(/^TIMEOUT: /);
    expect((await messageRow(ctx.db.store, queued.id)).status).toBe('queued');
    ctx.world.clock.advance(5 * MINUTE);
    await relay();
    expect((await messageRow(ctx.db.store, queued.id)).status).toBe('sent');
    expect(fake.sent).toHaveLength(1);
  });

  it('a send accepted but never answered is not sent again once a receipt names it: the receipt completes its retry', async () => {
    const { address } = await customerWrote();
    // A Graph API that accepts every send and never answers (the relay times out).
    const silent = await startFakeGraph({ phoneNumbers: [{ phoneNumberId, accessToken: TOKEN, wabaId: WABA }], now: () => ctx.world.clock.now(), sendFaults: { timeoutRate: 1, random: () => 0 } });
    try {
      silent.customerWrote(phoneNumberId, address, ctx.world.clock.hoursAgo(1));
      await ctx.db.store.db.updateTable('channels').set({ config: JSON.stringify({ ...JSON.parse(channel.config), graphBaseUrl: silent.url }) }).where('id', '=', channel.id).execute();
      const queued = await agentWrites(address);
      await relay();
      expect((await outboxOf(queued.id)).last_error).toMatch(/^TIMEOUT: /);
      const [accepted] = silent.sent;
      expect(accepted!.body.biz_opaque_callback_data).toBe(queued.id);

      // Meta's receipt carries our id back: the message learns its wamid, and the waiting retry is done.
      expect(await applyDeliveryReceipt(ctx.world.deps, channel.id, { providerMessageId: accepted!.wamid, messageId: queued.id, status: 'delivered', at: ctx.world.clock.now() })).toBe('applied');
      expect(await messageRow(ctx.db.store, queued.id)).toMatchObject({ status: 'delivered', provider_message_id: accepted!.wamid });
      expect((await outboxOf(queued.id)).done_at).not.toBeNull();
      ctx.world.clock.advance(HOUR);
      await relay();
      expect(silent.sent).toHaveLength(1);
    } finally {
      await silent.close();
    }
  });

  it('a retry finds the message already out (a receipt arrived while a run held it) and completes without sending', async () => {
    const { address } = await customerWrote();
    tellFake(address);
    const queued = await agentWrites(address);
    // A receipt gave the message its wamid while another run held the item, so the item still waits.
    await ctx.db.store.db.updateTable('messages').set({ status: 'delivered', provider_message_id: 'wamid.ALREADY_OUT' }).where('id', '=', queued.id).execute();
    await relay();
    expect(fake.sent).toEqual([]);
    expect((await outboxOf(queued.id)).done_at).not.toBeNull();
    expect((await messageRow(ctx.db.store, queued.id)).status).toBe('delivered');
  });

  it('another refusal fails the message with the provider code and its explanation, without retrying', async () => {
    const { address, ticketId } = await customerWrote();
    tellFake(address);
    fake.failNext(1, { error: 131026, endpoint: 'messages' });
    const queued = await agentWrites(address);
    // Metrics count the provider's error by channel kind and code.
    const reported: ProviderErrorReport[] = [];
    const stopWatching = watchProviderErrors((report) => reported.push(report));
    await relay().finally(stopWatching);
    expect(reported).toEqual([{ channelKind: 'whatsapp', code: '131026', final: true }]);
    expect(await messageRow(ctx.db.store, queued.id)).toMatchObject({
      status: 'failed',
      error_code: '131026',
      error_message: 'Message failed to send because the recipient is not a WhatsApp user or cannot receive this message.',
    });
    expect(await timelineOf(ticketId, 'message.failed')).toHaveLength(1);
    ctx.world.clock.advance(HOUR);
    expect(await relay()).toBe(0);
  });

  it('a refused token (190) flags the channel and holds its messages, unfailed and without using attempts', async () => {
    await ctx.db.store.db.updateTable('channels').set({ secrets: JSON.stringify({ accessToken: 'EAAG-expired-token-000000000', appSecret: APP_SECRET }) }).where('id', '=', channel.id).execute();
    const { address } = await customerWrote();
    tellFake(address);
    const first = await agentWrites(address);
    await relay();
    const flagged = await ctx.db.store.db.selectFrom('channels').selectAll().where('id', '=', channel.id).executeTakeFirstOrThrow();
    expect(flagged.needs_attention_since).toBe(ctx.world.clock.now());
    expect(flagged.attention_reason).toMatch(/access token/);
    expect(await messageRow(ctx.db.store, first.id)).toMatchObject({ status: 'queued', error_code: null });
    expect(await outboxOf(first.id)).toMatchObject({ attempts: 0, done_at: null });
    // While the channel is held nothing more goes to Graph, however often the relay runs.
    const second = await agentWrites(address, { kind: 'text', body: 'And one more thing' });
    for (let i = 0; i < 3; i++) {
      ctx.world.clock.advance(2 * MINUTE);
      await relay();
    }
    expect(sendRequests()).toHaveLength(1);
    expect(await outboxOf(second.id)).toMatchObject({ attempts: 0, done_at: null });
    expect(await timelineOf(first.ticket_id, 'message.failed')).toEqual([]);
  });

  it('a sandbox channel pointed at a Graph base URL sends through it; without one the simulator answers', async () => {
    await ctx.db.store.db.updateTable('channels').set({ sandbox: 1 }).where('id', '=', channel.id).execute();
    const { address } = await customerWrote();
    tellFake(address);
    const viaFake = await agentWrites(address);
    await relay();
    expect((await messageRow(ctx.db.store, viaFake.id)).provider_message_id).toBe(fake.sent[0]!.wamid);
    const { graphBaseUrl: _unused, ...withoutFake } = JSON.parse(channel.config) as Record<string, unknown>;
    await ctx.db.store.db.updateTable('channels').set({ config: JSON.stringify(withoutFake) }).where('id', '=', channel.id).execute();
    const simulated = await agentWrites(address, { kind: 'text', body: 'Simulated' });
    ctx.world.clock.advance(1_000);
    await relay();
    expect((await messageRow(ctx.db.store, simulated.id)).provider_message_id).toMatch(/^sandbox\./);
    expect(fake.sent).toHaveLength(1);
  });
});
