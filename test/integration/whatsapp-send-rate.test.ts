// The per-number send rate: each channel's next send moment lives in the database, so every relay of
// every server process keeps to one limit together, and the provider never counts more than the limit
// in any second.
import { setTimeout as pause } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandboxSender } from '../../src/channels/sandbox-sender.js';
import { startFakeGraph, type FakeGraph } from '../../src/channels/whatsapp/fake-graph/index.js';
import { whatsappSender } from '../../src/channels/whatsapp/sender.js';
import type { ChannelSender } from '../../src/channels/types.js';
import { openStore, type Store } from '../../src/db/store.js';
import { HOUR, systemClock } from '../../src/domain/clock.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { createDeps, type Deps } from '../../src/modules/deps.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { queueOutbound } from '../../src/modules/messages/outgoing.js';
import { deliverDueMessages } from '../../src/modules/outbox/deliver-messages.js';
import { sendIntervalUs, takeSendSlot } from '../../src/modules/outbox/send-rate.js';
import { inbound, newAddress } from '../support/factories.js';
import { ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

const TOKEN = 'EAAG-fake-graph-access-token-0003';

describe.each(ENGINES)('send slots of a channel (%s)', (engine) => {
  const ctx = useWorld(engine);
  const take = (channelId: string, at: number, rate = 50) => ctx.db.store.unit((trx) => takeSendSlot(trx, channelId, rate, at));

  it('sends are spaced evenly at the rate with 10% headroom; a denied send is told when the next slot is', async () => {
    const channelId = ctx.world.channels.whatsapp.id;
    const t = ctx.world.clock.now();
    expect(sendIntervalUs(50)).toBe(22_000);
    expect(await take(channelId, t)).toEqual({ granted: true });
    expect(await take(channelId, t)).toEqual({ granted: false, availableAt: t + 21 });
    expect(await take(channelId, t + 20)).toEqual({ granted: false, availableAt: t + 21 });
    expect(await take(channelId, t + 21)).toEqual({ granted: true });
    // Another channel has its own limit.
    expect(await take(ctx.world.channels.instagram.id, t)).toEqual({ granted: true });
  });

  it('however often a busy channel asks, it gets at most the rate in any second', async () => {
    const channelId = ctx.world.channels.whatsapp.id;
    const start = ctx.world.clock.now();
    const granted: number[] = [];
    await ctx.db.store.unit(async (trx) => {
      for (let at = start; at < start + 1_200; at += 1) if ((await takeSendSlot(trx, channelId, 50, at)).granted) granted.push(at);
    });
    for (const from of granted) expect(granted.filter((at) => at >= from && at < from + 1_000).length).toBeLessThanOrEqual(50);
    // Not needlessly slower either: ten percent under the limit.
    expect(granted.filter((at) => at < start + 1_000)).toHaveLength(46);
  });

  it('a channel idle for a while does not save up a burst', async () => {
    const channelId = ctx.world.channels.whatsapp.id;
    const t = ctx.world.clock.now();
    expect(await take(channelId, t)).toEqual({ granted: true });
    expect(await take(channelId, t + 60_000)).toEqual({ granted: true });
    expect(await take(channelId, t + 60_000)).toMatchObject({ granted: false });
  });
});

describe('two server processes sending from one number (postgres)', () => {
  const ctx = useWorld('postgres');
  let fake: FakeGraph;
  let secondStore: Store;

  beforeEach(async () => {
    fake = await startFakeGraph({ phoneNumbers: [{ phoneNumberId: '200000000000900', accessToken: TOKEN }] });
    secondStore = openStore({ databaseUrl: ctx.db.databaseUrl, poolSize: 4 });
  });

  afterEach(async () => {
    await secondStore.close();
    await fake.close();
  });

  it('processes asking for the same slot at the same moment: exactly one of them gets it', async () => {
    const channelId = ctx.world.channels.whatsapp.id;
    const at = ctx.world.clock.now();
    const ask = (store: Store) => store.unit((trx) => takeSendSlot(trx, channelId, 50, at));
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => ask(i % 2 === 0 ? ctx.db.store : secondStore)));
    expect(answers.filter((a) => a.granted)).toHaveLength(1);
    expect(answers.filter((a) => !a.granted)).toEqual(Array.from({ length: 39 }, () => ({ granted: false, availableAt: at + 21 })));
  });

  it('200 messages at a limit of 50/s: both relays send, each message once, and no second at the provider sees more than 50', { timeout: 60_000 }, async () => {
    const channel = await insertChannel(
      ctx.db.store.db,
      {
        workspaceId: ctx.world.workspaceId,
        kind: 'whatsapp',
        name: 'Busy line',
        externalId: '200000000000900',
        config: { phoneNumberId: '200000000000900', graphBaseUrl: fake.url, sendRatePerSecond: 50 },
        secrets: { accessToken: TOKEN, appSecret: 'app-secret-0123456789abcdef' },
      },
      systemClock.now(),
    );
    const address = newAddress('whatsapp');
    // Real relays keep a real rate, so this whole test runs on the system clock, the fake Graph API's too.
    const sentAt = systemClock.now() - HOUR;
    const customer = await ingestInbound(createDeps(ctx.db.store, systemClock), inbound(channel, systemClock, { address, sentAt }));
    if (customer.outcome !== 'stored') throw new Error('expected the customer message to be stored');
    fake.customerWrote('200000000000900', address, sentAt);
    const ticket = await ticketRow(ctx.db.store, customer.ticketId);
    await ctx.db.store.unit(async (trx) => {
      for (let i = 0; i < 200; i++) {
        await queueOutbound(trx, { ticket, authorUserId: ctx.world.agent.userId, authorKind: 'agent', content: { kind: 'text', body: `Update ${i}` }, tag: null, now: systemClock.now() });
      }
    });

    const sender = whatsappSender({ readAttachment: () => Promise.reject(new Error('no files here')) });
    const sentBy = [0, 0];
    const relayOf = (deps: Deps, index: number) => {
      const counting: ChannelSender = { ...sender, send: async (message) => (sentBy[index]! += 1, sender.send(message)) };
      return async () => {
        while (fake.sent.length < 200) {
          // A relay with nothing due polls again shortly, as the outbox job does every second.
          if ((await deliverDueMessages(deps, { byKind: { whatsapp: counting }, sandbox: sandboxSender })) === 0) await pause(10);
        }
      };
    };
    // The fake Graph API listens on 127.0.0.1, so private addresses are allowed, as in every test.
    const allow = { allowPrivateOutboundUrls: true };
    await Promise.all([relayOf(createDeps(ctx.db.store, systemClock, allow), 0)(), relayOf(createDeps(secondStore, systemClock, allow), 1)()]);

    expect(sentBy[0]).toBeGreaterThan(0);
    expect(sentBy[1]).toBeGreaterThan(0);
    expect(new Set(fake.sent.map((s) => s.body.biz_opaque_callback_data)).size).toBe(200);
    const statuses = await ctx.db.store.db.selectFrom('messages').select('status').where('ticket_id', '=', ticket.id).where('direction', '=', 'outbound').execute();
    expect(statuses.filter((m) => m.status === 'sent')).toHaveLength(200);
    const arrivals = fake.requests.filter((r) => r.endpoint === 'messages').map((r) => r.at).sort((a, b) => a - b);
    const busiest = Math.max(...arrivals.map((from) => arrivals.filter((at) => at >= from && at < from + 1_000).length));
    expect(busiest).toBeLessThanOrEqual(50);
  });
});
