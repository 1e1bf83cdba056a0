// The outbox worker: queued agent messages are delivered once, re-checked against the reply window
// at send time, and their outcome recorded where the agent sees it.
import { describe, expect, it } from 'vitest';
import { sandboxSender } from '../../src/channels/sandbox-sender.js';
import type { ChannelSender } from '../../src/channels/types.js';
import { HOUR, MINUTE } from '../../src/domain/clock.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { deliverDueMessages, type Senders } from '../../src/modules/outbox/deliver-messages.js';
import { startTicket } from '../../src/modules/messages/start-ticket.js';
import { inbound, newAddress } from '../support/factories.js';
import { messageRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

describe.each(ENGINES)('delivering queued messages (%s)', (engine) => {
  const ctx = useWorld(engine);

  const message = (id: string) => messageRow(ctx.db.store, id);
  const outboxOf = (id: string) => ctx.db.store.db.selectFrom('outbox').selectAll().where('message_id', '=', id).executeTakeFirstOrThrow();

  /** A WhatsApp customer who wrote `hoursAgo` hours ago, and an agent's free-form reply to them. */
  async function queuedReply(hoursAgo: number, sandbox: boolean) {
    if (sandbox) await ctx.db.store.db.updateTable('channels').set({ sandbox: 1 }).where('id', '=', ctx.world.channels.whatsapp.id).execute();
    const address = newAddress('whatsapp');
    await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address, sentAt: ctx.world.clock.hoursAgo(hoursAgo) }));
    const started = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.whatsapp.id, contact: { address }, message: { kind: 'text', body: 'We are on it!' } });
    return started.message;
  }

  it('a sandbox channel delivers a queued message once and records its provider id', async () => {
    const queued = await queuedReply(1, true);
    const senders: Senders = { byKind: {}, sandbox: sandboxSender };
    expect(await deliverDueMessages(ctx.world.deps, senders)).toBe(1);
    expect(await deliverDueMessages(ctx.world.deps, senders)).toBe(0);
    const sent = await message(queued.id);
    expect(sent.status).toBe('sent');
    expect(sent.provider_message_id).toMatch(/^sandbox\./);
    expect((await outboxOf(queued.id)).done_at).not.toBeNull();
    const status = await ctx.db.store.db.selectFrom('realtime_events').selectAll().where('type', '=', 'message.status').execute();
    expect(status.map((e) => JSON.parse(e.payload))).toContainEqual({ ticketId: queued.ticket_id, messageId: queued.id, status: 'sent' });
  });

  it('a message whose window closed while it waited fails with the policy code instead of being sent', async () => {
    const queued = await queuedReply(23.5, true);
    ctx.world.clock.advance(HOUR);
    const sent: string[] = [];
    const recording: ChannelSender = { send: async (m) => (sent.push(m.messageId), sandboxSender.send(m)) };
    await deliverDueMessages(ctx.world.deps, { byKind: {}, sandbox: recording });
    expect(sent).toEqual([]);
    expect(await message(queued.id)).toMatchObject({ status: 'failed', error_code: 'WHATSAPP_TEMPLATE_REQUIRED' });
    const timeline = await ctx.db.store.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', queued.ticket_id).where('type', '=', 'message.failed').execute();
    expect(timeline).toHaveLength(1);
  });

  it('a channel kind without a sender keeps its messages queued for later', async () => {
    const queued = await queuedReply(1, false);
    expect(await deliverDueMessages(ctx.world.deps, { byKind: {}, sandbox: sandboxSender })).toBe(1);
    expect((await message(queued.id)).status).toBe('queued');
    expect((await outboxOf(queued.id)).done_at).toBeNull();
  });

  it('a temporary failure is retried later with backoff and a permanent one is recorded on the message', async () => {
    const queued = await queuedReply(1, false);
    let answer: 'temporary' | 'permanent' = 'temporary';
    const flaky: ChannelSender = {
      send: async () => (answer === 'temporary' ? { ok: false, retryable: true, code: '130429', message: 'Rate limit hit' } : { ok: false, retryable: false, code: '131026', message: 'Message undeliverable' }),
    };
    const senders: Senders = { byKind: { whatsapp: flaky }, sandbox: sandboxSender };
    await deliverDueMessages(ctx.world.deps, senders);
    const retry = await outboxOf(queued.id);
    expect(retry).toMatchObject({ attempts: 1, done_at: null, last_error: '130429: Rate limit hit' });
    expect(retry.available_at).toBeGreaterThan(ctx.world.clock.now());
    expect(await deliverDueMessages(ctx.world.deps, senders)).toBe(0);
    ctx.world.clock.advance(10 * MINUTE);
    answer = 'permanent';
    await deliverDueMessages(ctx.world.deps, senders);
    expect(await message(queued.id)).toMatchObject({ status: 'failed', error_code: '131026', error_message: 'Message undeliverable' });
    expect((await outboxOf(queued.id)).done_at).not.toBeNull();
  });

  it('a sender that throws counts as a temporary failure, not a lost message', async () => {
    const queued = await queuedReply(1, false);
    const broken: ChannelSender = { send: async () => { throw new Error('socket hang up'); } };
    await deliverDueMessages(ctx.world.deps, { byKind: { whatsapp: broken }, sandbox: sandboxSender });
    expect((await message(queued.id)).status).toBe('queued');
    expect((await outboxOf(queued.id)).last_error).toBe('SEND_ERROR: socket hang up');
  });
});
